/* shim.h - SQLite for Swift (system library target CSQLite). */
#include <sqlite3.h>
