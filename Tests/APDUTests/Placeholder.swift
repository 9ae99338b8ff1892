// Placeholder so the test target builds before its first real test lands; remove when adding tests.
