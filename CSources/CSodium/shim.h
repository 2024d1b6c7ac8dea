/* shim.h - libsodium for Swift (system library target CSodium). */
#include <sodium.h>
