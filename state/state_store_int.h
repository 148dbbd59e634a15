/* state_store_int.h — the state store's private parts shared by state_store.c and
 * state_timers.c. Not for use outside state/. */
#ifndef SY_STATE_STORE_INT_H
#define SY_STATE_STORE_INT_H

#include <assert.h>
#include <rocksdb/c.h>
#include <string.h>

#include "state_cache.h"
#include "state_contact_table.h"
#include "state_pending.h"
#include "state_store.h"

/* New column families go last: an existing directory opens with them created empty. */
enum { CF_DEFAULT, CF_INSTANCES, CF_TIMERS, CF_PROFILES, CF_EVENT_IDS, CF_CONSENT, CF_COUNTS,
       CF_LEASES, CF_ENGAGEMENT, CF__COUNT };
static const char *const cf_names[CF__COUNT] = {"default", "instances", "timers", "profiles",
                                                "event_ids", "consent", "counts", "leases",
                                                "engagement"};

/* The contact table's record kind (STATE_CONTACT_REC_*: an instance's adds its journey's
 * slot) of a write to column family cf; -1 for a family the table does not keep. With
 * state_contact_rec_cf, its inverse, the one place the pairs are listed. */
static inline int state_contact_rec_kind(int cf) {
    /* no assert: total on every family */
    switch (cf) {
    case CF_INSTANCES:
        return STATE_CONTACT_REC_INSTANCE;
    case CF_PROFILES:
        return STATE_CONTACT_REC_PROFILE;
    case CF_EVENT_IDS:
        return STATE_CONTACT_REC_EVENT_IDS;
    case CF_CONSENT:
        return STATE_CONTACT_REC_CONSENT;
    case CF_ENGAGEMENT:
        return STATE_CONTACT_REC_ENGAGEMENT;
    default:
        return -1;
    }
}

/* The column family of the contact table's record rec (an instance's slot is masked). */
static inline int state_contact_rec_cf(uint16_t rec) {
    for (int cf = 0; cf < CF__COUNT; cf++)
        if (state_contact_rec_kind(cf) == (rec & 0xff00))
            return cf;
    assert(0); /* every record the table holds is of a kind above */
    return CF_DEFAULT;
}

/* Changelog offsets of partitions, each at most once (state_writeback.c). */
typedef struct state_offsets {
    int64_t value[STATE_PARTITIONS_MAX]; /* -1: none */
    int32_t list[STATE_PARTITIONS_MAX];  /* the partitions set, in the order first set */
    size_t count;
} state_offsets_t;

struct state_store {
    rocksdb_t *db; /* NULL while rocks_dir waits to open it, and after a failed open */
    rocksdb_env_t *mem_env;
    /* An in-memory store's RocksDB path until state_store_rocks opens it (then NULL): it
     * opens at the store's first checkpoint, iterator or restore, and an in-memory store
     * whose commits all fit its unwritten writes (a replay, a simulate) never opens it.
     * Until then RocksDB holds nothing: a read there finds none. NULL on disk. */
    char *rocks_dir;
    rocksdb_options_t *options;
    rocksdb_options_t *timer_options; /* the timers column family's */
    rocksdb_block_based_table_options_t *table_options;
    rocksdb_cache_t *cache;
    rocksdb_filterpolicy_t *bloom; /* owned by table_options once set */
    rocksdb_readoptions_t *read_options;
    rocksdb_writeoptions_t *write_options;
    rocksdb_column_family_handle_t *cf[CF__COUNT];
    rocksdb_writebatch_t *batch;
    /* The first failed write's error ("" while none): RocksDB must not be written again
     * after one (its writer keeps the error; Debian's build asserts on a second write),
     * so every later commit refuses with it. */
    char write_failed[256];
    state_pending_t pending;
    /* The sealed batch (state_store_seal): a batch whose changelog is produced and whose
     * Kafka transaction commits while the next one is processed; reads consult it after
     * pending. Swapped with pending at each seal, so both keep their memory. Empty (and
     * sealed_on false) when nothing is sealed; at most one is. */
    state_pending_t sealed;
    bool sealed_on;
    /* Committed writes not yet in RocksDB, one final write per key, and the changelog
     * offsets they reach (state_writeback.c); the batch's own offsets wait in
     * offsets_pending until it commits. Every checkpoint_batches commits the unwritten
     * ones are handed to the writer thread, which writes them (as writing and
     * offsets_writing, frozen until it is done) while the next batches go on. */
    state_pending_t unwritten;
    state_pending_t writing;
    state_offsets_t offsets_pending;
    state_offsets_t offsets_unwritten;
    state_offsets_t offsets_writing;
    unsigned checkpoint_batches;
    unsigned checkpoint_batches_since;
    struct state_writer *writer; /* NULL: a read-only store */
    /* Committed records per contact (instances, profile, event ids, consent, engagement),
     * or NULL when disabled (state_contact_table.h). Anything that writes those column families
     * around the pending batch must clear it, and set contacts_stale so that the commit
     * clears it again after the write (a read in between may have refilled it). */
    state_contact_table_t *contacts;
    bool contacts_stale;
    /* The table is the only home of the committed records it holds, which the unwritten
     * log lacks (state_contacts_home.c): an in-memory store's until RocksDB opens or the
     * table outgrows its budget (contacts_home_outgrown: it let go of such a record, and
     * the next commit stops it being their home). */
    bool contacts_home;
    bool contacts_home_outgrown;
    /* Each partition's committed timers in memory, loaded at its first timer read, or
     * started empty while timers_whole (owned; NULL: not loaded, or none while
     * timers_whole; state_timer_queue.c), and the order of the last committed put. */
    struct state_timer_queue *timer_queues[STATE_PARTITIONS_MAX];
    /* Every committed timer is in a queue, so a partition without one has none: true for
     * a store opened in memory (it starts empty) until a queue is forgotten (a restore's
     * write, no memory), after which queues load from the instances again. */
    bool timers_whole;
    uint64_t timer_seq;
    uint8_t timer_bounds[STATE_PARTITIONS_MAX][2]; /* a timer iterator's upper bound */
    int64_t stream_time[STATE_PARTITIONS_MAX];  /* INT64_MIN: not loaded / never seen */
    /* 0 unloaded, 1 clean, 2 dirty and in the pending batch, 3 dirty and not yet in the
     * batch, 4 dirty and in the sealed batch (its value the memory's) */
    uint8_t stream_time_state[STATE_PARTITIONS_MAX];
    /* One more than the highest partition with a stream time set or a timer queue loaded
     * since the store opened: the per-batch loops over partitions stop there. */
    int32_t partitions_hi;
    /* Partitions in state 3: every event moves its partition's time, but a batch needs to
     * write only the last time of each (state_store_stream_times_write). */
    int32_t stream_time_unwritten[STATE_PARTITIONS_MAX];
    size_t stream_time_unwritten_count;
    /* Owned, freed by state_store_close; allocated lazily and used by state_profile.c. */
    struct state_profile_scratch *profile_scratch;
};


/* The first byte of a pending-map key of a count (the tag, then the RocksDB key): instance
 * keys (a restore's) start with the high byte of a partition below STATE_PARTITIONS_MAX (at
 * most 0x0f), so it never reads as a partition. Leases and scan cursors have their own. */
#define STATE_PENDING_TAG_COUNT 0xfc
_Static_assert((STATE_PENDING_TAG_COUNT << 8) >= STATE_PARTITIONS_MAX,
               "a tagged pending key never reads as a partition");

/* The RocksDB key of a contact's record (partition, contact id) into buf
 * (PROFILE_KEY_BYTES_MAX bytes). Its length, or 0 when the contact id is longer than
 * SY_ID_BYTES_MAX bytes (errbuf says so; SY_ERR_LIMIT). */
size_t state_contact_key(uint8_t *buf, int32_t partition, const char *contact_id,
                         char *errbuf, size_t errbuf_size);

/* Put a contact's record (key as state_contact_key makes it) into the pending batch's op
 * log: what reads see and what the commit writes to column family cf. SY_ERR_NOMEM when it
 * is full. */
sy_err_t state_store_record_put(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                                const uint8_t *value, size_t len);

/* A contact's record of kind rec (STATE_CONTACT_REC_PROFILE, _EVENT_IDS, _CONSENT or
 * _ENGAGEMENT) as reads see it: key is its RocksDB key in column family cf
 * (state_contact_key). From the pending batch, else the contact table, else RocksDB (and
 * kept in the table). *value NULL and *len 0 when there is none; *owned, when not NULL, is to be
 * released with rocksdb_free after use. what names the record in an error. Only for those
 * kinds: the commit refreshes the table for them alone, so a count, lease or scan cursor
 * kept there would be read stale (those use state_store_meta_read). */
sy_err_t state_store_record_read(state_store_t *s, int cf, uint16_t rec, const uint8_t *key,
                                 size_t key_len, const uint8_t **value, size_t *len,
                                 char **owned, char *errbuf, size_t errbuf_size,
                                 const char *what);

/* A record the contact table does not keep (counts, leases, scan cursors) as reads see
 * it: pkey is its pending-map key (tag, then the RocksDB key of column family cf). From
 * the pending batch, else RocksDB (none when cf is not open: a store read-only from before
 * it). *value NULL and *len 0 when there is none; an empty value the batch wrote reads as
 * *value not NULL, *len 0 and *owned NULL. *owned, when not NULL, is released with
 * rocksdb_free after use. what names the record in an error. */
sy_err_t state_store_meta_read(state_store_t *s, int cf, const uint8_t *pkey,
                               size_t pkey_len, const uint8_t **value, size_t *len,
                               char **owned, char *errbuf, size_t errbuf_size,
                               const char *what);

/* partition has a stream time set or a timer queue loaded: partitions_hi covers it. */
static inline void state_store_partition_seen(state_store_t *s, int32_t partition) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    if (partition >= s->partitions_hi)
        s->partitions_hi = partition + 1;
}

/* The pending map's entry of pkey as reads see it: the pending batch's, else the sealed
 * one's, else NULL. */
static inline const pending_entry_t *state_store_pending_entry(const state_store_t *s,
                                                               const uint8_t *pkey,
                                                               size_t pkey_len) {
    /* no assert: state_pending_get asserts */
    const pending_entry_t *e = state_pending_get(&s->pending, pkey, pkey_len);
    return e || !s->sealed_on ? e : state_pending_get(&s->sealed, pkey, pkey_len);
}

/* The op of (cf, key) whose contact part is its first contact_len bytes as reads see it:
 * the pending batch's, else the sealed one's, else NULL (state_pending_op_get_contact). */
static inline const pending_op_t *state_store_op_get(const state_store_t *s, uint8_t cf,
                                                     const uint8_t *key, size_t key_len,
                                                     size_t contact_len) {
    /* no assert: state_pending_op_get_contact asserts */
    const pending_op_t *op =
        state_pending_op_get_contact(&s->pending, cf, key, key_len, contact_len);
    return op || !s->sealed_on
               ? op
               : state_pending_op_get_contact(&s->sealed, cf, key, key_len, contact_len);
}

/* Turn a RocksDB error string (freed here) into SY_ERR_STATE with a message. */
sy_err_t state_store_rocks_error(char *err, char *errbuf, size_t errbuf_size,
                                 const char *what);

/* Put the stream times set in this batch into it (and its op log): once per partition,
 * before the batch is written or its op log read. */
void state_store_stream_times_write(state_store_t *s);

/* Each partition's committed timers in memory (state_timer_queue.c). */
typedef struct state_timer_queue state_timer_queue_t;

/* Compare (key a) with (key b) as RocksDB's bytewise comparator does. In line: it breaks
 * the ties of equal due times in every heap comparison of a fire. */
static inline int state_timer_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
                                      size_t blen) {
    assert(a != NULL && b != NULL);
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* Partition's queue, loaded from RocksDB if it is not in memory. Errors: SY_ERR_STATE (a
 * read failed or a key is corrupt), SY_ERR_NOMEM; errbuf says which. */
sy_err_t state_store_timer_queue_get(state_store_t *s, int32_t partition,
                                     state_timer_queue_t **out, char *errbuf,
                                     size_t errbuf_size);

/* The queue's first timer (key order): 1 and its bytes, or 0 when it is empty. The bytes
 * stay valid until the queue changes. */
int state_timer_queue_peek(const state_timer_queue_t *q, const uint8_t **key,
                           size_t *key_len, const uint8_t **value, size_t *value_len);

/* Whether the queue's first timer is due at or before due_ms (false when it is empty). */
bool state_timer_queue_due_by(const state_timer_queue_t *q, int64_t due_ms);

/* Take the first timer out (it fired in this batch; kept until the batch ends), its key's
 * bytes in *key, *key_len: valid until the batch commits or aborts or the queue is
 * forgotten. *legacy: non-zero when the key is in the old timer index (a store written by
 * an older version), where the caller deletes it. 0 without memory (nothing taken). */
int state_timer_queue_pop(state_timer_queue_t *q, const uint8_t **key, size_t *key_len,
                          int *legacy);

/* A timer of the sealed batch (key, value) fired in the pending one: q keeps a copy, to
 * put it among the pending batch's fires when the sealed batch commits, or to drop it when
 * both are dropped. 0 without memory (nothing kept). */
int state_timer_queue_fired_sealed(state_timer_queue_t *q, const uint8_t *key, size_t key_len,
                                   const uint8_t *value, size_t value_len);

/* The pending batch is sealed: the fires so far are the sealed batch's. */
void state_store_timer_queues_seal(state_store_t *s);

/* After a successful write of the sealed batch (its timers still there): the loaded
 * queues take the timers it added and did not fire, those it fired are gone for good,
 * and those of it that the pending batch fired become the pending batch's fires. */
void state_store_timer_queues_commit(state_store_t *s);

/* Both batches are dropped: the timers they fired are back in their queues, and the
 * sealed batch's timers the pending one fired are forgotten. */
void state_store_timer_queues_abort(state_store_t *s);

/* Drop partition's queue (a restore wrote its instances around the op log): the next read
 * rebuilds it. */
void state_store_timer_queue_forget(state_store_t *s, int32_t partition);

/* Drop every queue: the store closes. */
void state_store_timer_queues_free(state_store_t *s);

/* Offset sets (state_writeback.c): init makes every partition's none, clear empties a
 * set in the time of its partitions. */
void state_offsets_init(state_offsets_t *o);
void state_offsets_clear(state_offsets_t *o);

/* The batch commits: its changelog offsets become the unwritten ones. */
void state_store_changelog_offsets_commit(state_store_t *s);

/* Put the unwritten offsets into wb (and forget them: wb is about to be written). */
void state_store_changelog_offsets_fill(state_store_t *s, rocksdb_writebatch_t *wb);

/* The key filters of the write-back's logs (unwritten, writing): 2^21 bits (256 KiB each)
 * against the up to 262,144 writes a checkpoint hands over, so that most reads of a
 * key neither log holds (a contact table miss's) stop at one load of each. */
#define STATE_WRITEBACK_KEY_FILTER_LOG2 21

/* Write-back (state_writeback.c). The unwritten write of key in cf, or NULL. */
const pending_op_t *state_store_unwritten_get(state_store_t *s, int cf,
                                              const uint8_t *key, size_t key_len);

/* The committed value of key in cf as reads see it, whose contact part
 * (state_pending_contact_len) is its first contact_len bytes (0: not known): the
 * unwritten write of key when there is one (borrowed, valid until the next commit or
 * checkpoint; NULL for a delete), else RocksDB's value, also put in *owned for the caller
 * to free with rocksdb_free. NULL: none, or an error in *rerr (to free). *len its bytes. */
const uint8_t *state_store_get_cf_borrowed(state_store_t *s, int cf, const uint8_t *key,
                                           size_t key_len, size_t contact_len, size_t *len,
                                           char **owned, char **rerr);

/* rocksdb_get_cf as the committed state reads: the unwritten write of key when there is
 * one (a copy; NULL for a delete), else RocksDB's value. Free it with rocksdb_free. */
char *state_store_get_cf(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                         size_t *len, char **rerr);

/* Settle the checkpoint (state_store_checkpoint), then open an iterator over column
 * family cf with read options ro (borrowed, outlives the iterator; NULL: the store's).
 * On SY_OK RocksDB holds every commit, so the iterator sees what point reads see, and
 * *out is the caller's to destroy; on an error *out is untouched and errbuf says why (the
 * checkpoint's errors). Anything that iterates RocksDB opens its iterator here. */
sy_err_t state_store_iterator_open(state_store_t *s, int cf, const rocksdb_readoptions_t *ro,
                                   rocksdb_iterator_t **out, char *errbuf, size_t errbuf_size);

/* The committing batch's op log (the sealed one) joins the unwritten writes. 0 without
 * memory (the unwritten writes are then partial: nothing may be written or read from them). */
int state_store_unwritten_take(state_store_t *s);

/* Whether the unwritten writes are due for a checkpoint (batches, or their number). */
bool state_store_checkpoint_due(const state_store_t *s);

/* Hand the unwritten writes (with the unwritten offsets when with_offsets) to the writer,
 * after it finished the previous checkpoint. Errors: SY_ERR_STATE (a write failed: no
 * write is tried again). */
sy_err_t state_store_checkpoint_begin(state_store_t *s, bool with_offsets, char *errbuf,
                                      size_t errbuf_size);

/* The background writer (state_writer.c): one checkpoint at a time. */
typedef struct state_writer state_writer_t;

/* Start one writing to db (the handles outlive it). SY_ERR_NOMEM when no thread. */
sy_err_t state_writer_start(state_writer_t **out, rocksdb_t *db,
                            const rocksdb_writeoptions_t *write_options,
                            rocksdb_column_family_handle_t *const *cf);

/* Write log's writes in key order and offsets' checkpoints in one WriteBatch, in the
 * background. Both stay unchanged until state_writer_wait returns. Only when idle. */
void state_writer_hand(state_writer_t *w, const state_pending_t *log,
                       const state_offsets_t *offsets);

/* Wait until what was handed is written. SY_ERR_STATE with the message when a write
 * failed (then or before: nothing is written after a failure). */
sy_err_t state_writer_wait(state_writer_t *w, char *errbuf, size_t errbuf_size);

/* Wait, stop the thread and free. NULL is a no-op. */
void state_writer_stop(state_writer_t *w);

/* Put each partition's offset of offsets into wb as its checkpoint key in cf (the
 * default column family): what a checkpoint writes with the state it reflects. */
void state_writer_offsets_put(rocksdb_writebatch_t *wb, rocksdb_column_family_handle_t *cf,
                              const state_offsets_t *offsets);

/* A scan cursor read back from the changelog (state_scans.c): into the restore's write
 * batch and the pending map (reads before the commit see it). Errors: SY_ERR_NOMEM. */
sy_err_t state_store_scan_restore(state_store_t *s, const uint8_t *key, size_t key_len,
                                  const uint8_t *value, size_t value_len);

/* Open s's RocksDB at dir read-write, creating what is missing, with every column family,
 * then start its writer thread (state_rocks.c). Opens in a process take turns. Errors:
 * SY_ERR_STATE (RocksDB's reason), the writer's. */
sy_err_t state_rocks_open(state_store_t *s, const char *dir, char *errbuf,
                          size_t errbuf_size);

/* Open s's RocksDB at dir read-only, with the column families it has (a missing one's
 * handle stays NULL). Errors: SY_ERR_STATE (RocksDB's reason). */
sy_err_t state_rocks_open_read_only(state_store_t *s, const char *dir, char *errbuf,
                                    size_t errbuf_size);

/* Open an in-memory store's RocksDB (state_rocks_open) when it waits (rocks_dir set);
 * SY_OK at once when it is open. What writes or iterates RocksDB calls it first. Errors:
 * SY_ERR_STATE (the open failed, with RocksDB's reason): the store then has no RocksDB
 * and refuses every commit. */
sy_err_t state_store_rocks(state_store_t *s, char *errbuf, size_t errbuf_size);

/* Make s's contact table the only home of the committed records it holds (contacts_home),
 * at an in-memory open before any commit: a commit then folds into the unwritten log only
 * the writes the table does not keep, and the table hands over what it lets go of. No-op
 * without a table. */
void state_contacts_home_start(state_store_t *s);

/* Hand every record a commit put in the table to the unwritten log, and fold every commit
 * from now on (contacts_home false). What opens RocksDB, or checkpoints into it, calls it
 * first, and a commit once the table has outgrown its budget; no-op when the table is not
 * the records' home. Out of memory marks the log partial. */
void state_contacts_home_leave(state_store_t *s);

/* Whether column family cf is missing for good: a store read-only from before it existed.
 * Not one whose RocksDB waits to open (it will have every family). */
static inline bool state_store_cf_missing(const state_store_t *s, int cf) {
    /* no assert: a pure test of two fields */
    return !s->rocks_dir && !s->cf[cf];
}

#endif
