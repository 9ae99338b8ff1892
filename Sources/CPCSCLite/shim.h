#ifndef CARDGATE_CPCSCLITE_SHIM_H
#define CARDGATE_CPCSCLITE_SHIM_H
#include <winscard.h>
#include <reader.h>
#endif
