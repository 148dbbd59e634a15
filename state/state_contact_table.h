/* state_contact_table.h — committed state per contact in memory: one entry per (partition,
 * contact) holding the encoded bytes of each of its records — one instance per journey,
 * its profile, its recent event ids, its consent, its engagement memory — or that it has
 * none, so that the
 * records an event reads take one hash lookup and no RocksDB read. A byte budget bounds
 * it; eviction drops whole entries. It holds committed values only: a batch's writes wait
 * in the pending batch (state_pending.h) until commit copies them here, so an abort has
 * nothing to undo. Private to state/; not thread-safe (one per store). */
#ifndef SY_STATE_CONTACT_TABLE_H
#define SY_STATE_CONTACT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state_cache.h"
#include "sy_error.h"

typedef struct state_contact_table state_contact_table_t;

/* A contact's records: kinds, and for instances the journey's slot (state_contact_table_
 * journey_slot) in the low byte. */
enum {
    STATE_CONTACT_REC_INSTANCE = 0x000, /* | journey slot */
    STATE_CONTACT_REC_PROFILE = 0x100,
    STATE_CONTACT_REC_EVENT_IDS = 0x200,
    STATE_CONTACT_REC_CONSENT = 0x300,
    STATE_CONTACT_REC_ENGAGEMENT = 0x400,
};

/* Distinct journey ids a table tells apart: one byte of slot. Instances of journeys
 * beyond these are never kept (always read from RocksDB). */
#define STATE_CONTACT_JOURNEYS_MAX 256

/* The longest record value kept: a longer one is not kept (read from RocksDB each time)
 * rather than truncated. Consent records with a full cap log and event-id records of
 * 1,024 ids (~16 KiB each) fit. */
#define STATE_CONTACT_VALUE_BYTES_MAX 32768

/* A table of at most budget_bytes (index and entries included). budget_bytes 0 gives
 * *out = NULL: no table, and every function below treats NULL as an empty table that
 * keeps nothing. Errors: SY_ERR_NOMEM. *out set only on success. */
sy_err_t state_contact_table_open(state_contact_table_t **out, size_t budget_bytes);

/* Free the table and its entries; NULL is a no-op. */
void state_contact_table_close(state_contact_table_t *table);

/* The slot of journey_id (len bytes), interned on first use; -1 when the table is NULL or
 * already tells STATE_CONTACT_JOURNEYS_MAX journeys apart. */
int state_contact_table_journey_slot(state_contact_table_t *table, const uint8_t *journey_id,
                                     size_t len);

/* Look up record rec of the contact whose key is ckey (2-byte big-endian partition, then
 * the contact id; ckey_len bytes). On STATE_CACHE_HIT *value and *value_len point at the
 * committed bytes, valid until the next put, clear or close. STATE_CACHE_ABSENT: known to
 * have no committed value (put as none, or lacking from a whole table); STATE_CACHE_MISS:
 * unknown, ask RocksDB. Marks the contact recently used. */
state_cache_lookup_t state_contact_table_get(state_contact_table_t *table,
                                             const uint8_t *ckey, size_t ckey_len,
                                             uint16_t rec, const uint8_t **value,
                                             size_t *value_len);

/* Make value (value_len bytes; NULL: none) the committed value of the contact's record
 * rec, as read from where committed records are kept (RocksDB, or what stands for it),
 * creating its entry and evicting other entries (least recently used first, by CLOCK)
 * while over the budget. Best effort: a record or entry that cannot be kept (too long, no
 * memory, over the budget alone) is dropped with any older value of it, so the table
 * never serves a stale value; the contact's own entry is never evicted to make room while
 * others can make it. Copies ckey and value. True when the table holds the record as put
 * (a get answers with it); false for NULL. */
bool state_contact_table_put(state_contact_table_t *table, const uint8_t *ckey,
                             size_t ckey_len, uint16_t rec, const uint8_t *value,
                             size_t value_len);

/* state_contact_table_put of a commit's value, which may be held nowhere else: the record
 * is handed to the drop hook when let go of, and walked by _each_committed, until a put
 * replaces it. */
bool state_contact_table_put_committed(state_contact_table_t *table, const uint8_t *ckey,
                                       size_t ckey_len, uint16_t rec, const uint8_t *value,
                                       size_t value_len);

/* What a table hands over of one record: the contact's key, the record, its value
 * (value_len bytes; NULL: known to have none). */
typedef void state_contact_table_record_fn(void *ctx, const uint8_t *ckey, size_t ckey_len,
                                           uint16_t rec, const uint8_t *value,
                                           size_t value_len);

/* While fn is set (NULL: unset), every record a commit put (state_contact_table_put_
 * committed) is handed to fn before the table lets go of its entry (evicted, or removed
 * for want of memory), so that the table can be the only home of commits' records: only
 * a newer put of a record drops its value unhanded, and the caller of that put, told the
 * put was not kept, holds the newer value. A record put by state_contact_table_put is
 * kept elsewhere: it goes unhanded. Not on close or clear. */
void state_contact_table_on_drop(state_contact_table_t *table,
                                 state_contact_table_record_fn *fn, void *ctx);

/* Hand every record a commit put (state_contact_table_put_committed) to fn, entry by
 * entry. */
void state_contact_table_each_committed(const state_contact_table_t *table,
                                        state_contact_table_record_fn *fn, void *ctx);

/* The journey id of slot (state_contact_table_journey_slot) and its length in *len; NULL
 * when no journey has that slot. */
const char *state_contact_table_journey_id(const state_contact_table_t *table, int slot,
                                           size_t *len);

/* The bytes of record rec of the contact ckey that the last put kept, as a get would give
 * them (valid until the next put, clear or close), without counting a lookup; NULL when
 * that put kept none (no value, or not kept). Call it right after that put. */
const uint8_t *state_contact_table_put_kept(const state_contact_table_t *table,
                                            const uint8_t *ckey, size_t ckey_len,
                                            uint16_t rec);

/* Forget every entry. For whoever writes RocksDB around the pending batch (a restore).
 * The table is no longer whole. */
void state_contact_table_clear(state_contact_table_t *table);

/* Say whether the table is whole: it holds every committed record (as when RocksDB behind
 * it holds none, or all it holds was put, and every commit's records are put). While it is,
 * get answers STATE_CACHE_ABSENT for a record it lacks, asking RocksDB nothing; it stops
 * being whole when it drops one (an eviction, a record it cannot keep, a clear), and get
 * answers STATE_CACHE_MISS again. NULL: no-op. */
void state_contact_table_whole_set(state_contact_table_t *table, bool whole);

/* Whether the table is whole (false for NULL). */
bool state_contact_table_whole(const state_contact_table_t *table);

/* The budget the table was opened with, in bytes (0 for NULL). */
size_t state_contact_table_budget(const state_contact_table_t *table);

/* Counters since open (entries are contacts); bytes never exceeds the budget. */
void state_contact_table_stats_get(const state_contact_table_t *table,
                                   state_cache_stats_t *out);

#endif
