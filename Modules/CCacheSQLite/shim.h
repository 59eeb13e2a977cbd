#ifndef CCACHESQLITE_SHIM_H
#define CCACHESQLITE_SHIM_H

#include <sqlite3.h>

/* Swift cannot import function-like macros that cast integers to function
   pointers, nor call C variadic functions: these inline helpers expose them. */

/** SQLITE_TRANSIENT: SQLite copies the bound bytes before the bind call returns. */
static inline sqlite3_destructor_type ccachesqlite_transient(void) { return SQLITE_TRANSIENT; }

/** SQLITE_STATIC: the bound bytes stay valid (and unchanged) until the statement is reset or rebound. */
static inline sqlite3_destructor_type ccachesqlite_static(void) { return SQLITE_STATIC; }

/** sqlite3_db_config(db, op, int, int*): the variadic form for integer options
    (SQLITE_DBCONFIG_DEFENSIVE, SQLITE_DBCONFIG_ENABLE_TRIGGER, ...). */
static inline int ccachesqlite_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

/** SQLITE_OPEN_NOFOLLOW exists since SQLite 3.31; 0 (no effect) on older libraries. */
static inline int ccachesqlite_open_nofollow(void) {
#ifdef SQLITE_OPEN_NOFOLLOW
    return SQLITE_OPEN_NOFOLLOW;
#else
    return 0;
#endif
}

#endif
