// Only the declaration in include/CLibFuzzer.h: the driver itself is compiler-rt's.
#include "CLibFuzzer.h"
