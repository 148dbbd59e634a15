/* test_state_contacts_home.c — unit tests of an in-memory store whose contact table is
 * the only home of the committed records it holds (state_contacts_home.c): every
 * committed instance reads back as committed, with a table too small for the contacts
 * (what it lets go of handed over, then every commit folded), when a scan opens RocksDB
 * (the table's records written there first) and after, and for journeys the table does
 * not tell apart. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>

#include "state_store.h"

#define CONTACTS 3000
#define PARTITIONS 4
/* Commits of one round of puts: several, so that evictions fall between them. */
#define PUTS_PER_COMMIT 500
/* A table far too small for CONTACTS contacts (~150 bytes each): most are evicted. */
#define TABLE_BYTES (64 * 1024)

static char errbuf[1024];

static void contact_name(char *buf, size_t size, int contact) {
    snprintf(buf, size, "contact-%04d", contact);
}

/* The node round r gives contact c: differs from round to round and contact to contact. */
static uint16_t node_for(int round, int contact) {
    return (uint16_t)(round * 100 + contact % 97);
}

/* Move every contact to its node of round `round` in "promo", committing every
 * PUTS_PER_COMMIT puts. */
static void round_commit(state_store_t *s, int round) {
    char name[32];
    for (int c = 0; c < CONTACTS; c++) {
        state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = node_for(round, c),
                               .journey_version = 1, .occurrence = 1,
                               .entered_at_ms = 1727773200000LL};
        contact_name(name, sizeof name, c);
        cr_assert(eq(int, state_store_instance_put(s, c % PARTITIONS, name, "promo", &in),
                     SY_OK));
        if ((c + 1) % PUTS_PER_COMMIT == 0)
            cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s",
                      errbuf);
    }
}

/* Every contact reads at its node of round `round`. */
static void round_read(state_store_t *s, int round) {
    char name[32];
    for (int c = 0; c < CONTACTS; c++) {
        state_instance_t in;
        contact_name(name, sizeof name, c);
        sy_err_t err = state_store_instance_get(s, c % PARTITIONS, name, "promo", &in, errbuf,
                                                sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "round %d, %s: %d %s", round, name, err, errbuf);
        cr_assert(eq(u16, in.node, node_for(round, c)), "round %d, %s", round, name);
    }
}

typedef struct scan_seen {
    int round;
    int count;
    int wrong; /* instances at another node than the round's */
} scan_seen_t;

static int scan_visit(void *ctx, int32_t partition, const char *contact_id,
                      const state_instance_t *instance) {
    scan_seen_t *seen = ctx;
    int contact = -1;
    cr_assert(eq(int, sscanf(contact_id, "contact-%d", &contact), 1), "%s", contact_id);
    cr_assert(eq(int, partition, contact % PARTITIONS));
    seen->count++;
    seen->wrong += instance->node != node_for(seen->round, contact);
    return 0;
}

/* A scan of every partition (RocksDB's view) finds every contact at round's node. */
static void round_scan(state_store_t *s, int round) {
    scan_seen_t seen = {.round = round};
    for (int32_t p = 0; p < PARTITIONS; p++)
        cr_assert(eq(int, state_store_instances_scan(s, p, "promo", scan_visit, &seen, errbuf,
                                                     sizeof errbuf),
                     SY_OK), "%s", errbuf);
    cr_assert(eq(int, seen.count, CONTACTS), "round %d: the scan saw %d instances", round,
              seen.count);
    cr_assert(eq(int, seen.wrong, 0), "round %d: %d instances at an older node", round,
              seen.wrong);
}

static state_store_t *store_open(const char *name, size_t table_bytes) {
    state_store_t *s = NULL;
    cr_assert(eq(int, state_store_open(&s, name, true, table_bytes, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    return s;
}

/* The table lets go of commits' records between commits (handed over as they go) until
 * the next commit, which stops it being their home: from there on every commit is folded. */
Test(state_contacts_home, instances_read_as_committed_through_a_table_too_small) {
    state_store_t *s = store_open("contacts-home-small", TABLE_BYTES);
    for (int round = 1; round <= 3; round++) {
        round_commit(s, round);
        round_read(s, round);
    }
    state_cache_stats_t stats;
    state_store_cache_stats_get(s, &stats);
    cr_assert(gt(u64, stats.evictions, 1000), "only %llu evictions",
              (unsigned long long)stats.evictions);
    round_scan(s, 3);
    round_commit(s, 4);
    round_read(s, 4);
    round_scan(s, 4);
    state_store_close(s);
}

/* A table that holds every contact stays their home until a scan opens RocksDB: the
 * table's records are written there first, then every commit is folded. */
Test(state_contacts_home, a_scan_finds_what_the_table_alone_held) {
    state_store_t *s = store_open("contacts-home-whole", STATE_CACHE_BYTES_DEFAULT);
    round_commit(s, 1);
    round_commit(s, 2);
    state_cache_stats_t stats;
    state_store_cache_stats_get(s, &stats);
    cr_assert(eq(u64, stats.evictions, 0));
    round_scan(s, 2);
    round_read(s, 2);
    round_commit(s, 3);
    round_read(s, 3);
    round_scan(s, 3);
    state_store_close(s);
}

/* The table tells 256 journeys apart: instances of the journeys after those are never
 * kept there, so the commit keeps them in the unwritten log instead. */
Test(state_contacts_home, instances_of_journeys_the_table_cannot_keep_read_as_committed) {
    enum { JOURNEYS = 300 };
    state_store_t *s = store_open("contacts-home-journeys", STATE_CACHE_BYTES_DEFAULT);
    char journey[32];
    for (int j = 0; j < JOURNEYS; j++) {
        state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = (uint16_t)j,
                               .journey_version = 1, .occurrence = 1};
        snprintf(journey, sizeof journey, "journey-%03d", j);
        cr_assert(eq(int, state_store_instance_put(s, 0, "ann", journey, &in), SY_OK));
    }
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    for (int j = 0; j < JOURNEYS; j++) {
        state_instance_t in;
        snprintf(journey, sizeof journey, "journey-%03d", j);
        sy_err_t err = state_store_instance_get(s, 0, "ann", journey, &in, errbuf,
                                                sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "%s: %d %s", journey, err, errbuf);
        cr_assert(eq(u16, in.node, (uint16_t)j), "%s", journey);
    }
    state_store_close(s);
}
