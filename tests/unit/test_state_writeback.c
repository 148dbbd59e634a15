/* test_state_writeback.c — unit tests of the store's write-back (state_writeback.c):
 * committed batches wait in memory until a checkpoint writes them to RocksDB. Reads and
 * iterators see them before; a process killed between checkpoints leaves on disk the
 * last checkpoint, whose changelog offsets match its state; a restore's writes come after
 * the older unwritten ones; an in-memory store opens RocksDB only when an iterator or a
 * checkpoint needs it (state_rocks.c). On disk under /tmp, in a child process for the
 * kill. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state_store.h"
#include "store_fixture.h"
#include "tmpdir.h"

/* 2024-10-01T09:00:00Z. */
#define T0_MS 1727773200000LL

static char errbuf[1024];
static char dir[256];

static void dir_make(void) {
    tmpdir_make(dir, sizeof dir, "writeback");
}

static void dir_remove(void) {
    tmpdir_remove(dir);
}

/* A store in dir without the contact table, so every read goes past it. */
static state_store_t *open_store(unsigned checkpoint_batches) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, dir, false, 0, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s): %s", dir, errbuf);
    state_store_checkpoint_every(s, checkpoint_batches);
    return s;
}

static state_instance_t instance_at(uint16_t node) {
    return (state_instance_t){.status = STATE_INSTANCE_ACTIVE, .node = node,
                              .journey_version = 1, .occurrence = 1, .entered_at_ms = T0_MS,
                              .node_entered_at_ms = T0_MS + node};
}

/* Batch number `batch`: contact-1 moves to node `batch`, and the partition's state then
 * reflects changelog offset 10 × batch. */
static void commit_batch(state_store_t *s, uint16_t batch) {
    state_instance_t in = instance_at(batch);
    cr_assert(eq(int, state_store_instance_put(s, 3, "contact-1", "promo", &in), SY_OK));
    cr_assert(eq(int, state_store_changelog_offset_set(s, 3, 10 * (int64_t)batch), SY_OK));
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
}

static uint16_t node_of(state_store_t *s) {
    state_instance_t in;
    sy_err_t err = state_store_instance_get(s, 3, "contact-1", "promo", &in, errbuf,
                                            sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "instance_get: %d %s", err, errbuf);
    return in.node;
}

static int64_t offset_of(state_store_t *s) {
    int64_t offset = -1;
    sy_err_t err = state_store_changelog_offset_get(s, 3, &offset, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "changelog_offset_get: %d %s", err, errbuf);
    return offset;
}

TestSuite(state_writeback, .init = dir_make, .fini = dir_remove);

Test(state_writeback, committed_batches_are_read_before_they_reach_rocksdb) {
    state_store_t *s = open_store(100);
    commit_batch(s, 1);
    commit_batch(s, 2);
    cr_assert(eq(int, node_of(s), 2), "the last committed node");
    cr_assert(eq(i64, offset_of(s), 20));
    state_instance_t in = instance_at(9); /* a pending write still comes first */
    cr_assert(eq(int, state_store_instance_put(s, 3, "contact-1", "promo", &in), SY_OK));
    cr_assert(eq(int, node_of(s), 9));
    state_store_abort(s);
    cr_assert(eq(int, node_of(s), 2), "after the abort, the committed node again");
    cr_assert(eq(i64, offset_of(s), 20), "an aborted batch's offset is not kept");
    state_store_close(s);
    s = open_store(100); /* a clean close wrote everything */
    cr_assert(eq(int, node_of(s), 2));
    cr_assert(eq(i64, offset_of(s), 20));
    state_store_close(s);
}

/* Killed between checkpoints, the store on disk is the last checkpoint: its state and its
 * changelog offset go together, so a restore from that offset on loses nothing. */
Test(state_writeback, a_kill_leaves_the_last_checkpoint_with_its_offset) {
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        state_store_t *s = NULL;
        if (state_store_open(&s, dir, false, 0, errbuf, sizeof errbuf) != SY_OK)
            _exit(2);
        state_store_checkpoint_every(s, 4);
        for (uint16_t batch = 1; batch <= 10; batch++)
            commit_batch(s, batch);
        _exit(0); /* no close: as under kill -9 */
    }
    int status = 0;
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    int exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cr_assert(exited_ok, "child status %d", status);
    state_store_t *s = open_store(4);
    uint16_t node = node_of(s);
    int64_t offset = offset_of(s);
    cr_assert(eq(i64, offset, 10 * (int64_t)node),
              "state at batch %u but offset %lld: a restore from there would skip or redo",
              node, (long long)offset);
    /* Checkpoints after batches 4 and 8; the second begins once the first is written, and
     * may not be written yet when the process dies. */
    cr_assert(node == 4 || node == 8, "node %u: not a checkpoint's state", node);
    state_store_close(s);
}

static int count_visit(void *ctx, int32_t partition, const char *contact_id,
                       const state_instance_t *instance) {
    (void)partition;
    (void)contact_id;
    (void)instance;
    (*(int *)ctx)++;
    return 0;
}

Test(state_writeback, iterators_see_every_committed_batch) {
    state_store_t *s = open_store(100);
    commit_batch(s, 1);
    int seen = 0;
    cr_assert(eq(int, state_store_instances_scan(s, 3, "promo", count_visit, &seen, errbuf,
                                                 sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, seen, 1), "the scan saw %d instances", seen);
    state_timer_t t = {.partition = 3, .due_ms = T0_MS + 100, .contact_id = "contact-1",
                       .journey_id = "promo", .node = 1, .node_entered_at_ms = T0_MS + 1};
    state_instance_t in = instance_at(1); /* at node 1 since T0_MS + 1, with t its timer */
    in.timer = STATE_INSTANCE_TIMER_ARMED;
    in.timer_due_ms = t.due_ms;
    cr_assert(eq(int, state_store_instance_put(s, 3, "contact-1", "promo", &in), SY_OK));
    cr_assert(eq(int, state_store_timer_add(s, &t), SY_OK));
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    state_store_close(s);
    s = open_store(100); /* the timers are rebuilt from the instances at the first read */
    state_timer_t due;
    cr_assert(eq(int, state_store_timer_next(s, 3, INT64_MAX, &due, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(i64, due.due_ms, T0_MS + 100));
    cr_assert(eq(int, state_store_timer_remove(s, &due), SY_OK));
    in.timer = STATE_INSTANCE_TIMER_NONE; /* fired: the engine rewrites the instance */
    cr_assert(eq(int, state_store_instance_put(s, 3, "contact-1", "promo", &in), SY_OK));
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    state_store_close(s);
    s = open_store(100);
    cr_assert(eq(int, state_store_timer_next(s, 3, INT64_MAX, &due, errbuf, sizeof errbuf),
                 SY_ERR_NOT_FOUND), "the fired timer is gone for good");
    state_store_close(s);
}

/* A restore writes around the batch what another owner committed later: it must land
 * after this store's older unwritten batches, in reads and on disk. */
Test(state_writeback, a_restore_lands_after_older_unwritten_batches) {
    state_store_t *s = open_store(100);
    commit_batch(s, 1);
    state_store_t *other = NULL;
    cr_assert(eq(int, state_store_open(&other, "writeback-other", true, 0, errbuf,
                                       sizeof errbuf), SY_OK), "%s", errbuf);
    state_instance_t later = instance_at(7);
    cr_assert(eq(int, state_store_instance_put(other, 3, "contact-1", "promo", &later), SY_OK));
    cr_assert(eq(int, state_store_pending_each(other, store_fixture_replay_op, s), SY_OK),
              "%s", sf.errbuf);
    cr_assert(eq(int, state_store_changelog_offset_set(s, 3, 70), SY_OK));
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, node_of(s), 7), "the restored node");
    cr_assert(eq(i64, offset_of(s), 70));
    state_store_close(other);
    state_store_close(s);
    s = open_store(100);
    cr_assert(eq(int, node_of(s), 7), "the restored node on disk");
    cr_assert(eq(i64, offset_of(s), 70));
    state_store_close(s);
}

/* Whether a thread of this process is named name (its /proc comm). */
static bool thread_named(const char *name) {
    char path[300], comm[32];
    bool found = false;
    DIR *tasks = opendir("/proc/self/task");
    cr_assert(tasks != NULL, "/proc/self/task cannot be read");
    for (struct dirent *d; !found && (d = readdir(tasks));) {
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", d->d_name);
        FILE *f = d->d_name[0] == '.' ? NULL : fopen(path, "r");
        if (!f)
            continue;
        found = fgets(comm, sizeof comm, f) && strncmp(comm, name, strlen(name)) == 0;
        fclose(f);
    }
    closedir(tasks);
    return found;
}

/* An operator sees the state's writer in top -H or ps -T by its name once the store is
 * open. (Not that it is gone after the close: the kernel may list a joined thread a
 * moment longer.) */
Test(state_writeback, the_writer_thread_is_named) {
    state_store_t *s = open_store(100);
    cr_assert(thread_named("sy:state-writer"), "no thread named sy:state-writer");
    state_store_close(s);
}

/* In memory, RocksDB (and its writer thread) waits until something needs it: commits and
 * reads do not, a scan does, and it then finds every batch committed before. */
Test(state_writeback, an_in_memory_store_opens_rocksdb_at_its_first_scan) {
    state_store_t *s = NULL;
    cr_assert(eq(int, state_store_open(&s, "writeback-lazy", true, 0, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    commit_batch(s, 1);
    commit_batch(s, 2);
    cr_assert(eq(int, node_of(s), 2));
    cr_assert(eq(i64, offset_of(s), 20));
    cr_assert(not(thread_named("sy:state-writer")), "RocksDB opened before it was needed");
    int seen = 0;
    cr_assert(eq(int, state_store_instances_scan(s, 3, "promo", count_visit, &seen, errbuf,
                                                 sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, seen, 1), "the scan saw %d instances", seen);
    cr_assert(thread_named("sy:state-writer"), "the scan did not open RocksDB");
    commit_batch(s, 3); /* and on from there, through RocksDB */
    cr_assert(eq(int, node_of(s), 3));
    cr_assert(eq(i64, offset_of(s), 30));
    state_store_close(s);
}

/* One in-memory store per thread, as replay's workers have: each opens its RocksDB at its
 * first scan, at about the same time as the other, and finds its own batches. */
static void *scan_own_store(void *arg) {
    const char *name = arg;
    char own_errbuf[512];
    state_store_t *s = NULL;
    if (state_store_open(&s, name, true, 0, own_errbuf, sizeof own_errbuf) != SY_OK)
        return "open failed";
    state_instance_t in = instance_at(5);
    int seen = 0;
    bool ok = state_store_instance_put(s, 3, name, "promo", &in) == SY_OK &&
              state_store_commit(s, own_errbuf, sizeof own_errbuf) == SY_OK &&
              state_store_instances_scan(s, 3, "promo", count_visit, &seen, own_errbuf,
                                         sizeof own_errbuf) == SY_OK;
    state_store_close(s);
    return ok && seen == 1 ? NULL : "the scan did not find the store's one instance";
}

Test(state_writeback, two_in_memory_stores_open_rocksdb_at_once) {
    static const char *names[] = {"writeback-a", "writeback-b"};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        cr_assert(eq(int, pthread_create(&threads[i], NULL, scan_own_store, (void *)names[i]),
                     0));
    for (int i = 0; i < 2; i++) {
        void *failed = NULL;
        pthread_join(threads[i], &failed);
        cr_assert(failed == NULL, "%s: %s", names[i], (const char *)failed);
    }
}
