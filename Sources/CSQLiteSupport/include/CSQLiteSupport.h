// sqlite3_db_config takes variable arguments, which Swift cannot pass; these call it with fixed ones.
#ifndef TICKETING_CSQLITESUPPORT_H
#define TICKETING_CSQLITESUPPORT_H

/// Turns on the query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) for `connection`, a
/// `sqlite3 *`: plans never depend on the values bound, so a prepared statement is not prepared again each
/// time a value is bound (SQLite otherwise does that for some statements with a bound value compared with
/// an indexed column, on every run). Returns 0 on success, else SQLite's error code.
int ticketing_sqlite_enable_qpsg(void *connection);

/// Whether the guarantee is on for `connection`: 1, 0, or -1 when SQLite cannot say.
int ticketing_sqlite_qpsg_enabled(void *connection);

#endif
