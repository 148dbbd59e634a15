/* state_contacts_home.c — an in-memory store's contact table as the only home of the
 * committed contact records it holds, until RocksDB opens or the table outgrows its
 * budget. A replay or a simulate commits every batch into the table (state_store.c,
 * contacts_fill) and, before this, copied each write into the unwritten log as well, for
 * a checkpoint that never came: a 50,000-contact replay held 80 MB there and spent a fifth
 * of its CPU on it. Now a commit's record reaches the unwritten log only when the table
 * cannot keep it (the commit folds it), lets go of it (an eviction hands it over, and the
 * next commit stops the table being the home), or when RocksDB opens: then every record a
 * commit put in the table is handed over, and from there on every commit is folded as on
 * disk. So a record the table lacks is in the unwritten log or nowhere, as reads already
 * assume of a RocksDB not yet opened. */
#include <assert.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* The table hands over a record (state_contact_table_record_fn): make it the unwritten
 * log's write of its key. A record known to have no value needs a tombstone only over a
 * value the log holds: RocksDB, not yet open, holds none. Out of memory marks the log
 * partial, which the next commit refuses. A table that lets go of a commit's record is
 * too small to be the records' home: handing each over as it goes cost more than folding
 * the commits (a replay whose table held a sixth of its contacts took 15% more CPU), so
 * the next commit leaves (state_store_unwritten_take). */
static void home_record_keep(void *ctx, const uint8_t *ckey, size_t ckey_len, uint16_t rec,
                             const uint8_t *value, size_t value_len) {
    state_store_t *s = ctx;
    uint8_t key[STATE_KEY_BYTES_MAX];
    size_t key_len = ckey_len;
    int cf = state_contact_rec_cf(rec);
    assert(s->contacts_home && ckey_len > 2 && ckey_len <= sizeof key);
    s->contacts_home_outgrown = true;
    memcpy(key, ckey, ckey_len);
    if (cf == CF_INSTANCES) { /* (contact key, NUL, journey id) */
        size_t id_len = 0;
        const char *id = state_contact_table_journey_id(s->contacts, rec & 0xff, &id_len);
        assert(id && ckey_len + 1 + id_len <= sizeof key);
        key[key_len++] = 0;
        memcpy(key + key_len, id, id_len);
        key_len += id_len;
    }
    if (value) {
        (void)state_pending_op_put_contact(&s->unwritten, (uint8_t)cf, key, key_len, ckey_len,
                                           value, value_len);
    } else if (state_pending_op_get(&s->unwritten, (uint8_t)cf, key, key_len)) {
        (void)state_pending_op_delete(&s->unwritten, (uint8_t)cf, key, key_len, 1);
    }
}

void state_contacts_home_start(state_store_t *s) {
    assert(s && s->rocks_dir && !s->unwritten.ops_count);
    if (!s->contacts)
        return; /* no table: every commit is folded */
    s->contacts_home = true;
    state_contact_table_on_drop(s->contacts, home_record_keep, s);
}

void state_contacts_home_leave(state_store_t *s) {
    assert(s);
    if (!s->contacts_home)
        return;
    state_contact_table_each_committed(s->contacts, home_record_keep, s);
    state_contact_table_on_drop(s->contacts, NULL, NULL);
    s->contacts_home = false;
}
