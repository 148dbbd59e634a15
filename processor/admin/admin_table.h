/* admin_table.h — a table of labelled metric series: (family, label values) → value, found
 * by hash in constant expected time, the series last asked for with the same value pointers
 * found without packing and hashing their labels again (a memo). The runner keeps one per
 * batch (counts it adds, no lock) and the admin server one of published totals (behind its
 * mutex). Not thread-safe and not a renderer: admin_expo.h writes the text. */
#ifndef SY_ADMIN_TABLE_H
#define SY_ADMIN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Label values one series has at most (a path's journey, version, from, to and path). */
#define ADMIN_LABELS_MAX 5
/* Bytes of one series' label values with their separators: five ids of SY_ID_BYTES_MAX. */
#define ADMIN_LABELS_BYTES_MAX 1024
/* Series one table holds at most: far above the journeys' nodes and paths times versions;
 * a table that reaches it drops new series (and counts them in dropped). */
#define ADMIN_TABLE_SERIES_MAX 65536

typedef struct admin_series {
    uint64_t hash;    /* of family and labels; 0: empty slot */
    uint16_t family;  /* the caller's family number */
    uint16_t labels_len;
    char *labels;     /* owned: the values, each ended by '\0' */
    double value;
    bool present;     /* false: kept for reuse but not rendered (a gauge not set) */
} admin_series_t;

/* Entries of a table's memo (a power of two), kept at most half full (emptied when it would
 * be fuller): far above the value pointers one batch passes (a journey's nodes, paths and
 * campaign metrics); beyond them a series is only hashed as without a memo. */
#define ADMIN_TABLE_MEMO_BITS 8
#define ADMIN_TABLE_MEMO (1u << ADMIN_TABLE_MEMO_BITS)

/* One memo entry: the series last found with one set of value pointers, and where each of
 * its label values starts in its labels. */
typedef struct admin_memo {
    uint64_t key;           /* a hash of the family and the value pointers; 0: empty */
    admin_series_t *series; /* borrowed from the table's slots */
    uint16_t starts[ADMIN_LABELS_MAX];
    uint8_t n;              /* the series' label values */
} admin_memo_t;

/* Zero-initialise ({0}) before use; admin_table_deinit frees it. */
typedef struct admin_table {
    admin_series_t *slots; /* owned; kept at most half full */
    size_t cap;            /* a power of two, or 0 */
    size_t count;
    uint64_t dropped;      /* series refused: table full, labels too long, no memory */
    admin_memo_t *memo;    /* owned, ADMIN_TABLE_MEMO entries (or NULL): series found before,
                            * by their value pointers, checked against their labels */
    size_t memo_count;     /* its entries in use */
    uint64_t moved;        /* times its series moved (it grew, or was freed): a series
                            * pointer kept stays good while this is unchanged */
} admin_table_t;

/* Add delta to the series (family, values[0..n)) (values borrowed, copied when the series
 * is new), creating it at 0. False when it could not be kept (counted in dropped). */
bool admin_table_add(admin_table_t *t, uint16_t family, const char *const *values, size_t n,
                     double delta);

/* The series (family, values[0..n)) (values borrowed, copied when the series is new),
 * created at 0 and not present when missing; NULL when it could not be kept (counted in
 * dropped). The pointer is the table's: good while t->moved is unchanged, so a caller may
 * keep it to add to the same series again without the labels (admin_series_add). */
admin_series_t *admin_table_series(admin_table_t *t, uint16_t family,
                                   const char *const *values, size_t n);

/* Add delta to series s (of admin_table_series) and mark it present: admin_table_add's
 * effect. */
static inline void admin_series_add(admin_series_t *s, double delta) {
    s->value += delta;
    s->present = true;
}

/* Set the series to value and mark it present. False as admin_table_add. */
bool admin_table_set(admin_table_t *t, uint16_t family, const char *const *values, size_t n,
                     double value);

/* The series (family, values), or NULL. */
const admin_series_t *admin_table_get(const admin_table_t *t, uint16_t family,
                                      const char *const *values, size_t n);

/* Add every present series of src to dst (counters: totals of committed batches). */
void admin_table_merge(admin_table_t *dst, const admin_table_t *src);

/* Make dst a copy of src's present series: their values set, every other series of dst
 * marked not present (gauges: a partition revoked disappears). Keeps dst's memory. */
void admin_table_assign(admin_table_t *dst, const admin_table_t *src);

/* Every series to 0 and not present; memory kept for the next batch. */
void admin_table_zero(admin_table_t *t);

/* Free everything. Leaves an empty table whose moved has changed. NULL-safe. */
void admin_table_deinit(admin_table_t *t);

/* The i-th label value of a series (i < its family's label count). */
const char *admin_series_label(const admin_series_t *s, size_t i);

#endif
