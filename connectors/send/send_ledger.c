/* send_ledger.c — the delivered-ids store on RocksDB's C API: key "provider/action_id",
 * value one outcome byte ('A' accepted, 'F' failed) and a detail. Writes are synced: a
 * record that says "accepted" must survive a crash of the machine, not only the process.
 * No expiry yet: the store grows by one small key per message. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

#include "send_ledger.h"
#include "sy_limits.h"

/* A key is a provider name, a slash and an action id. */
#define LEDGER_KEY_BYTES_MAX (32 + SY_ID_BYTES_MAX + 2)
/* An outcome byte and the detail, cut to this. */
#define LEDGER_VALUE_BYTES_MAX 512

struct send_ledger {
    rocksdb_t *db;
    rocksdb_options_t *options;
    rocksdb_readoptions_t *read;
    rocksdb_writeoptions_t *write;
};

static sy_err_t ledger_fail(char *rerr, const char *what, char *errbuf, size_t errbuf_size) {
    sy_errf(errbuf, errbuf_size, "delivered-ids store: %s: %s", what, rerr ? rerr : "?");
    rocksdb_free(rerr);
    return SY_ERR_STATE;
}

sy_err_t send_ledger_open(send_ledger_t **out, const char *dir, char *errbuf,
                          size_t errbuf_size) {
    assert(out && dir);
    send_ledger_t *l = calloc(1, sizeof *l);
    if (!l)
        return SY_ERR_NOMEM;
    l->options = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(l->options, 1);
    l->read = rocksdb_readoptions_create();
    l->write = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(l->write, 1);
    char *rerr = NULL;
    l->db = rocksdb_open(l->options, dir, &rerr);
    if (rerr) {
        sy_err_t err = ledger_fail(rerr, dir, errbuf, errbuf_size);
        send_ledger_close(l);
        return err;
    }
    *out = l;
    return SY_OK;
}

static size_t key_make(char *key, const char *provider, const char *action_id) {
    int n = snprintf(key, LEDGER_KEY_BYTES_MAX, "%s/%s", provider, action_id);
    return n < 0 ? 0 : (size_t)n < LEDGER_KEY_BYTES_MAX ? (size_t)n : LEDGER_KEY_BYTES_MAX - 1;
}

sy_err_t send_ledger_get(send_ledger_t *l, const char *provider, const char *action_id,
                         send_outcome_t *outcome, char *errbuf, size_t errbuf_size) {
    assert(l && provider && action_id && outcome);
    char key[LEDGER_KEY_BYTES_MAX];
    size_t key_len = key_make(key, provider, action_id), len = 0;
    char *rerr = NULL;
    char *v = rocksdb_get(l->db, l->read, key, key_len, &len, &rerr);
    if (rerr)
        return ledger_fail(rerr, "read", errbuf, errbuf_size);
    *outcome = !v || len == 0 ? SEND_OUTCOME_NONE
               : v[0] == 'A' ? SEND_OUTCOME_ACCEPTED : SEND_OUTCOME_FAILED;
    rocksdb_free(v);
    return SY_OK;
}

sy_err_t send_ledger_put(send_ledger_t *l, const char *provider, const char *action_id,
                         send_outcome_t outcome, const char *detail, char *errbuf,
                         size_t errbuf_size) {
    assert(l && provider && action_id && outcome != SEND_OUTCOME_NONE);
    char key[LEDGER_KEY_BYTES_MAX], value[LEDGER_VALUE_BYTES_MAX];
    size_t key_len = key_make(key, provider, action_id);
    int n = snprintf(value, sizeof value, "%c%s", outcome == SEND_OUTCOME_ACCEPTED ? 'A' : 'F',
                     detail ? detail : "");
    size_t value_len = n < 0 ? 1 : (size_t)n < sizeof value ? (size_t)n : sizeof value - 1;
    char *rerr = NULL;
    rocksdb_put(l->db, l->write, key, key_len, value, value_len, &rerr);
    return rerr ? ledger_fail(rerr, "write", errbuf, errbuf_size) : SY_OK;
}

void send_ledger_close(send_ledger_t *l) {
    if (!l)
        return;
    if (l->db)
        rocksdb_close(l->db);
    rocksdb_writeoptions_destroy(l->write);
    rocksdb_readoptions_destroy(l->read);
    rocksdb_options_destroy(l->options);
    free(l);
}
