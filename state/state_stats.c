/* state_stats.c — what the store holds and costs, for benchmarks and diagnostics: the
 * write-back cache's counters, and keys and SST bytes per column family after a manual
 * flush and compaction. Not on the processing path: the service never compacts by hand. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "state_store_int.h"

void state_store_cache_stats_get(const state_store_t *s, state_cache_stats_t *out) {
    assert(s && out);
    state_contact_table_stats_get(s->contacts, out);
}

static uint64_t stats_keys_count(const state_store_t *s, int cf) {
    uint64_t n = 0;
    assert(cf >= 0 && cf < CF__COUNT);
    /* Not state_store_iterator_open: the caller settled the checkpoint before its flush
     * (the flush must follow it), and nothing commits in between. */
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, s->read_options, s->cf[cf]);
    for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it))
        n++;
    rocksdb_iter_destroy(it);
    return n;
}

static uint64_t stats_sst_bytes(const state_store_t *s, int cf) {
    assert(cf >= 0 && cf < CF__COUNT);
    char *v = rocksdb_property_value_cf(s->db, s->cf[cf], "rocksdb.total-sst-files-size");
    uint64_t n = v ? strtoull(v, NULL, 10) : 0;
    rocksdb_free(v);
    return n;
}

sy_err_t state_store_disk_stats_get(state_store_t *s, state_store_disk_stats_t *out,
                                    char *errbuf, size_t errbuf_size) {
    assert(s && out);
    sy_err_t settled = state_store_checkpoint(s, errbuf, errbuf_size);
    if (settled != SY_OK) /* the figures are RocksDB's: it must hold every commit */
        return settled;
    rocksdb_flushoptions_t *flush = rocksdb_flushoptions_create();
    char *err = NULL;
    rocksdb_flushoptions_set_wait(flush, 1);
    for (int cf = 0; cf < CF__COUNT && !err; cf++)
        rocksdb_flush_cf(s->db, flush, s->cf[cf], &err);
    rocksdb_flushoptions_destroy(flush);
    if (err)
        return state_store_rocks_error(err, errbuf, errbuf_size, "flush");
    for (int cf = 0; cf < CF__COUNT; cf++)
        rocksdb_compact_range_cf(s->db, s->cf[cf], NULL, 0, NULL, 0);
    memset(out, 0, sizeof *out);
    out->instances = stats_keys_count(s, CF_INSTANCES);
    out->timers = stats_keys_count(s, CF_TIMERS);
    out->profiles = stats_keys_count(s, CF_PROFILES);
    out->instances_sst_bytes = stats_sst_bytes(s, CF_INSTANCES);
    out->timers_sst_bytes = stats_sst_bytes(s, CF_TIMERS);
    out->profiles_sst_bytes = stats_sst_bytes(s, CF_PROFILES);
    return SY_OK;
}
