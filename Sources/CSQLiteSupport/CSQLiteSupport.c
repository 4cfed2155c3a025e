#include "CSQLiteSupport.h"

// sqlite-nio's copy of SQLite names its functions with this prefix; the binary links it.
struct sqlite3;
int sqlite_nio_sqlite3_db_config(struct sqlite3 *connection, int option, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG in <sqlite3.h>: part of SQLite's stable interface since 3.20.
enum { ticketing_sqlite_dbconfig_enable_qpsg = 1007 };

int ticketing_sqlite_enable_qpsg(void *connection) {
    int enabled = 0;
    int result = sqlite_nio_sqlite3_db_config(connection, ticketing_sqlite_dbconfig_enable_qpsg, 1, &enabled);
    if (result != 0) return result;
    return enabled == 1 ? 0 : 1;
}

int ticketing_sqlite_qpsg_enabled(void *connection) {
    int enabled = -1;
    if (sqlite_nio_sqlite3_db_config(connection, ticketing_sqlite_dbconfig_enable_qpsg, -1, &enabled) != 0) return -1;
    return enabled;
}
