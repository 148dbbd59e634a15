/* replay_parallel.c — replay over several workers: each runs its own driver (engine,
 * in-memory store) over the partitions p with p % workers == its index, since nothing in
 * the engine crosses partitions; this thread reads the input into a ring of blocks and
 * writes the workers' outputs back in the order one driver writes them, so the bytes are
 * the same. Each worker runs the blocks read, in order, at its own pace: none waits for
 * another at the end of each block.
 * Not the one-driver loop (replay_input.c) and not the outputs' opening (replay.c). */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "replay_int.h"

/* Records in a block: enough that handing a block over (a lock, a wake-up per worker)
 * costs little per record, few enough that a block's outputs stay in the caches. */
#define REPLAY_BLOCK_RECORDS 4096

/* Bytes of topic names, keys and values a block holds (4096 records of 1 KiB) before it
 * is full; a record larger than what is left grows it, once, to hold it. */
#define REPLAY_BLOCK_BYTES (4 * 1024 * 1024)

/* Blocks in flight, a ring: block k of the input is in slot k % REPLAY_BLOCKS. The workers
 * run the blocks read, each as far as it gets; this thread writes the outputs of the oldest
 * block once every worker ran it, then reads the next records into its slot. With two
 * blocks every worker waited at the end of each block for the slowest. */
#define REPLAY_BLOCKS 4

typedef struct replay_block {
    recording_record_t *records; /* owned, REPLAY_BLOCK_RECORDS; pointers into bytes */
    uint8_t *owner;              /* owned: the worker of each record */
    size_t *out_end;             /* owned: where record i's outputs end in its worker's lines */
    size_t count;
    uint64_t first;              /* the input index of records[0] */
    char *bytes;                 /* owned: the records' topic names, keys and values */
    size_t bytes_used;
    size_t bytes_cap;
} replay_block_t;

/* One engine_fire_timers of simulate_finish: where its outputs start in the worker's
 * lines. */
typedef struct replay_firing {
    int64_t due_ms;
    int32_t partition;
    size_t start;
} replay_firing_t;

typedef enum replay_phase {
    REPLAY_PHASE_BLOCKS, /* run every block read */
    REPLAY_PHASE_FINISH, /* then simulate_finish */
    REPLAY_PHASE_EXIT,   /* stop */
} replay_phase_t;

typedef struct replay_worker {
    replay_parallel_t *par; /* borrowed: the owner */
    int index;
    bool started;           /* thread runs */
    pthread_t thread;
    simulate_t *sim;        /* owned */
    output_json_t *lines[REPLAY_BLOCKS]; /* owned memory outputs, one per block */
    output_json_t *now;     /* the one the sink writes to */
    engine_sink_t out;      /* now's sink */
    size_t cursor;          /* block_write's (this thread's): bytes of the block's lines
                             * written out */
    campaign_report_t report;
    replay_stats_t stats;   /* dead letters */
    replay_firing_t *firings; /* owned: simulate_finish's firings, in its order */
    size_t firings_count;
    size_t firings_cap;
    size_t firings_next;    /* the next one to write */
    bool firings_failed;    /* one could not be kept (out of memory) */
    uint64_t ran;           /* blocks run (guarded by par->lock) */
    bool finished;          /* simulate_finish ran (guarded by par->lock) */
    sy_err_t err;           /* the first error, or SY_OK: the worker runs no more records */
    size_t err_record;      /* in the blocks: the input index of the record that failed */
    char errbuf[1024];
} replay_worker_t;

struct replay_parallel {
    replay_worker_t *workers; /* owned, threads of them */
    int threads;
    campaign_report_t *report; /* borrowed, or NULL */
    bool discard;              /* no output: outputs and dead letters dropped */
    replay_block_t blocks[REPLAY_BLOCKS];
    pthread_mutex_t lock;      /* guards read, phase, and each worker's ran and finished */
    pthread_cond_t go;         /* read or phase moved */
    pthread_cond_t ran;        /* a worker's ran or finished moved */
    uint64_t read;             /* blocks read (written by this thread alone) */
    replay_phase_t phase;
    atomic_size_t stop_at;     /* the input index of the first failed record: later ones
                                * wait, SIZE_MAX while none failed */
};

/* ---- the workers' side ---- */

static sy_err_t worker_decision(void *ctx, const sy_decision_t *d) {
    replay_worker_t *w = ctx;
    return w->par->discard ? SY_OK : w->out.decision(w->out.ctx, d);
}

static sy_err_t worker_action(void *ctx, const sy_action_t *a) {
    replay_worker_t *w = ctx;
    return w->par->discard ? SY_OK : w->out.action(w->out.ctx, a);
}

static sy_err_t worker_contact_update(void *ctx, const sy_contact_update_t *u) {
    replay_worker_t *w = ctx;
    return w->par->discard ? SY_OK : w->out.contact_update(w->out.ctx, u);
}

static sy_err_t worker_conversion(void *ctx, const sy_conversion_t *c) {
    replay_worker_t *w = ctx;
    return w->par->discard ? SY_OK : w->out.conversion(w->out.ctx, c);
}

static sy_err_t worker_dead_letter(void *ctx, const sy_dead_letter_t *dl, char *errbuf,
                                   size_t errbuf_size) {
    replay_worker_t *w = ctx;
    if (w->par->discard)
        return SY_OK; /* a report-only run: dead letters are counted in the summary */
    return output_json_dead_letter(w->now, dl, errbuf, errbuf_size);
}

/* simulate_finish's firing hook: note where the firing's outputs start. */
static void worker_firing(void *ctx, int32_t partition, int64_t due_ms) {
    replay_worker_t *w = ctx;
    if (w->firings_count == w->firings_cap) {
        size_t cap = w->firings_cap ? 2 * w->firings_cap : 1024;
        replay_firing_t *grown = realloc(w->firings, cap * sizeof *grown);
        if (!grown) {
            w->firings_failed = true;
            return;
        }
        w->firings = grown;
        w->firings_cap = cap;
    }
    size_t len = 0;
    output_json_memory(w->now, &len);
    w->firings[w->firings_count++] = (replay_firing_t){due_ms, partition, len};
}

/* Write to lines[slot] from now on, empty. */
static void worker_lines_use(replay_worker_t *w, int slot) {
    w->now = w->lines[slot];
    w->out = output_json_sink(w->now);
    output_json_memory_clear(w->now);
}

/* Lower par->stop_at to index when it is later. */
static void stop_at_lower(replay_parallel_t *par, size_t index) {
    size_t seen = atomic_load(&par->stop_at);
    while (index < seen && !atomic_compare_exchange_weak(&par->stop_at, &seen, index))
        ;
}

/* The worker's records of block slot, in order, up to its first error; none after it
 * (its lines keep the failed record's outputs and reason). */
static void worker_block(replay_worker_t *w, int slot) {
    replay_parallel_t *par = w->par;
    replay_block_t *b = &par->blocks[slot];
    if (w->err != SY_OK)
        return;
    worker_lines_use(w, slot);
    for (size_t i = 0; i < b->count; i++) {
        if (b->owner[i] != w->index)
            continue;
        size_t index = (size_t)b->first + i;
        if (index > atomic_load_explicit(&par->stop_at, memory_order_relaxed))
            break; /* an earlier record failed: the run stops there */
        w->err = replay_drive_record(&b->records[i], &w->sim, 1, worker_dead_letter, w,
                                     &w->stats, w->errbuf, sizeof w->errbuf);
        output_json_memory(w->now, &b->out_end[i]);
        if (w->err != SY_OK) {
            w->err_record = index;
            stop_at_lower(par, index);
            break;
        }
    }
}

static void worker_finish(replay_worker_t *w) {
    worker_lines_use(w, 0);
    w->firings_count = 0;
    w->firings_next = 0;
    w->err = simulate_finish(w->sim, w->errbuf, sizeof w->errbuf);
    if (w->err == SY_OK && w->firings_failed) {
        snprintf(w->errbuf, sizeof w->errbuf, "out of memory");
        w->err = SY_ERR_NOMEM;
    }
}

/* The blocks read, in order, then simulate_finish when the phase says, until it says
 * exit. The lock is let go while a block or the finish runs. */
static void *worker_main(void *arg) {
    replay_worker_t *w = arg;
    replay_parallel_t *par = w->par;
    pthread_mutex_lock(&par->lock);
    while (par->phase != REPLAY_PHASE_EXIT) {
        bool block = w->ran < par->read;
        bool finish = !block && par->phase == REPLAY_PHASE_FINISH && !w->finished;
        if (!block && !finish) {
            pthread_cond_wait(&par->go, &par->lock);
            continue;
        }
        int slot = (int)(w->ran % REPLAY_BLOCKS);
        pthread_mutex_unlock(&par->lock);
        if (block)
            worker_block(w, slot);
        else
            worker_finish(w);
        pthread_mutex_lock(&par->lock);
        w->ran += block;
        w->finished |= finish;
        pthread_cond_signal(&par->ran);
    }
    pthread_mutex_unlock(&par->lock);
    return NULL;
}

/* ---- open, close ---- */

static sy_err_t block_init(replay_block_t *b) {
    b->records = malloc(REPLAY_BLOCK_RECORDS * sizeof *b->records);
    b->owner = malloc(REPLAY_BLOCK_RECORDS * sizeof *b->owner);
    b->out_end = malloc(REPLAY_BLOCK_RECORDS * sizeof *b->out_end);
    b->bytes = malloc(REPLAY_BLOCK_BYTES);
    b->bytes_cap = REPLAY_BLOCK_BYTES;
    return b->records && b->owner && b->out_end && b->bytes ? SY_OK : SY_ERR_NOMEM;
}

static void block_deinit(replay_block_t *b) {
    free(b->records);
    free(b->owner);
    free(b->out_end);
    free(b->bytes);
}

/* Worker w's driver over conf, writing to its memory lines. */
static sy_err_t worker_open(replay_worker_t *w, const simulate_conf_t *conf, char *errbuf,
                            size_t errbuf_size) {
    sy_err_t err = SY_OK;
    for (int i = 0; i < REPLAY_BLOCKS && err == SY_OK; i++)
        err = output_json_open_memory(&w->lines[i], errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    worker_lines_use(w, 0);
    engine_sink_t sink = {worker_decision, worker_action, worker_contact_update, w,
                          worker_conversion};
    simulate_conf_t c = *conf;
    c.sink = &sink;
    c.output_path = NULL;
    c.state_dir = NULL;
    c.report = w->par->report ? &w->report : NULL;
    c.on_timer_firing = worker_firing;
    c.firing_ctx = w;
    return simulate_open(&w->sim, &c, errbuf, errbuf_size);
}

sy_err_t replay_parallel_open(replay_parallel_t **out, const simulate_conf_t *conf,
                              int threads, campaign_report_t *report, char *errbuf,
                              size_t errbuf_size) {
    assert(threads >= 2 && threads <= REPLAY_THREADS_MAX);
    replay_parallel_t *par = calloc(1, sizeof *par);
    sy_err_t err = par ? SY_OK : SY_ERR_NOMEM;
    if (par) {
        pthread_mutex_init(&par->lock, NULL);
        pthread_cond_init(&par->go, NULL);
        pthread_cond_init(&par->ran, NULL);
        atomic_init(&par->stop_at, SIZE_MAX);
        par->report = report;
        par->workers = calloc((size_t)threads, sizeof *par->workers);
        err = par->workers ? SY_OK : SY_ERR_NOMEM;
    }
    for (int i = 0; err == SY_OK && i < REPLAY_BLOCKS; i++)
        err = block_init(&par->blocks[i]);
    if (err == SY_ERR_NOMEM)
        snprintf(errbuf, errbuf_size, "out of memory");
    /* The drivers open one after another on this thread: quickly, since an in-memory
     * store opens RocksDB only when it first needs it (state_rocks.c). */
    for (int i = 0; err == SY_OK && i < threads; i++) {
        replay_worker_t *w = &par->workers[par->threads++];
        w->par = par;
        w->index = i;
        err = worker_open(w, conf, errbuf, errbuf_size);
    }
    for (int i = 0; err == SY_OK && i < threads; i++) {
        replay_worker_t *w = &par->workers[i];
        w->started = pthread_create(&w->thread, NULL, worker_main, w) == 0;
        if (!w->started) {
            snprintf(errbuf, errbuf_size, "cannot start a replay worker thread");
            err = SY_ERR_NOMEM;
        }
    }
    if (err != SY_OK) {
        replay_parallel_close(par);
        return err;
    }
    *out = par;
    return SY_OK;
}

/* Tell the workers: one more block read (its slot filled), or the next phase. */
static void par_tell(replay_parallel_t *par, uint64_t read, replay_phase_t phase) {
    pthread_mutex_lock(&par->lock);
    par->read = read;
    par->phase = phase;
    pthread_cond_broadcast(&par->go);
    pthread_mutex_unlock(&par->lock);
}

/* Wait until every worker ran block k of the input, or (k UINT64_MAX) ran its finish. */
static void par_wait(replay_parallel_t *par, uint64_t k) {
    pthread_mutex_lock(&par->lock);
    for (int i = 0; i < par->threads; i++) {
        const replay_worker_t *w = &par->workers[i];
        while (k == UINT64_MAX ? !w->finished : w->ran <= k)
            pthread_cond_wait(&par->ran, &par->lock);
    }
    pthread_mutex_unlock(&par->lock);
}

void replay_parallel_close(replay_parallel_t *par) {
    if (!par)
        return;
    if (par->workers) {
        par_tell(par, par->read, REPLAY_PHASE_EXIT);
        for (int i = 0; i < par->threads; i++)
            if (par->workers[i].started)
                pthread_join(par->workers[i].thread, NULL);
    }
    for (int i = 0; i < par->threads; i++) {
        replay_worker_t *w = &par->workers[i];
        simulate_close(w->sim);
        for (int k = 0; k < REPLAY_BLOCKS; k++)
            output_json_close(w->lines[k], NULL, 0);
        campaign_report_deinit(&w->report);
        free(w->firings);
    }
    for (int i = 0; i < REPLAY_BLOCKS; i++)
        block_deinit(&par->blocks[i]);
    free(par->workers);
    pthread_cond_destroy(&par->ran);
    pthread_cond_destroy(&par->go);
    pthread_mutex_destroy(&par->lock);
    free(par);
}

const journey_set_t *replay_parallel_journeys(const replay_parallel_t *par) {
    return simulate_journeys(par->workers[0].sim);
}

/* ---- this thread's side: reading, writing ---- */

/* Copy len bytes of src into b's bytes; returns where, or NULL for NULL. */
static const void *block_copy(replay_block_t *b, const void *src, size_t len) {
    if (!src)
        return NULL;
    assert(len <= b->bytes_cap - b->bytes_used);
    char *at = b->bytes + b->bytes_used;
    memcpy(at, src, len);
    b->bytes_used += len;
    return at;
}

/* Make room for need more bytes, moving the block's records when its bytes move. */
static sy_err_t block_reserve(replay_block_t *b, size_t need) {
    if (need <= b->bytes_cap - b->bytes_used)
        return SY_OK;
    size_t cap = 2 * b->bytes_cap > b->bytes_used + need ? 2 * b->bytes_cap
                                                         : b->bytes_used + need;
    char *grown = malloc(cap);
    if (!grown)
        return SY_ERR_NOMEM;
    memcpy(grown, b->bytes, b->bytes_used);
    for (size_t i = 0; i < b->count; i++) {
        recording_record_t *r = &b->records[i];
        if (r->topic)
            r->topic = grown + (r->topic - b->bytes);
        if (r->key)
            r->key = grown + ((const char *)r->key - b->bytes);
        if (r->value)
            r->value = grown + ((const char *)r->value - b->bytes);
    }
    free(b->bytes);
    b->bytes = grown;
    b->bytes_cap = cap;
    return SY_OK;
}

/* Add rec (borrowed) to b, its bytes copied, for its partition's worker. */
static sy_err_t block_add(replay_parallel_t *par, replay_block_t *b,
                          const recording_record_t *rec) {
    size_t topic_len = rec->topic ? strlen(rec->topic) + 1 : 0;
    sy_err_t err = block_reserve(b, topic_len + rec->key_len + rec->value_len);
    if (err != SY_OK)
        return err;
    recording_record_t *r = &b->records[b->count];
    *r = *rec;
    r->topic = block_copy(b, rec->topic, topic_len);
    r->key = block_copy(b, rec->key, rec->key_len);
    r->value = block_copy(b, rec->value, rec->value_len);
    b->owner[b->count++] = (uint8_t)(rec->partition >= 0 ? rec->partition % par->threads : 0);
    return SY_OK;
}

/* Read the next records of in into b until it is full. SY_ERR_NOT_FOUND at the end of
 * the input; b holds the records read before any error. */
static sy_err_t block_read(replay_parallel_t *par, replay_block_t *b, replay_input_t *in,
                           replay_stats_t *stats, progress_t *progress, char *errbuf,
                           size_t errbuf_size) {
    recording_record_t rec;
    b->count = 0;
    b->bytes_used = 0;
    b->first = stats->records;
    while (b->count < REPLAY_BLOCK_RECORDS && b->bytes_used < REPLAY_BLOCK_BYTES) {
        sy_err_t err = replay_input_next(in, &rec, errbuf, errbuf_size);
        if (err == SY_OK && (err = block_add(par, b, &rec)) != SY_OK)
            snprintf(errbuf, errbuf_size, "out of memory");
        if (err != SY_OK)
            return err;
        stats->records++;
        if (progress && progress->enabled) /* not a terminal: nothing to draw */
            progress_update(progress, stats->records, replay_input_done(in));
    }
    return SY_OK;
}

/* Write the outputs of b's records 0..last (each worker's lines of slot, in record
 * order) to json. */
static sy_err_t block_write(replay_parallel_t *par, const replay_block_t *b, int slot,
                            size_t last, output_json_t *json, char *errbuf,
                            size_t errbuf_size) {
    sy_err_t err = SY_OK;
    for (int i = 0; i < par->threads; i++)
        par->workers[i].cursor = 0;
    for (size_t i = 0; json && err == SY_OK && i < b->count && i <= last; i++) {
        replay_worker_t *w = &par->workers[b->owner[i]];
        size_t len = 0;
        const char *lines = output_json_memory(w->lines[slot], &len);
        assert(b->out_end[i] >= w->cursor && b->out_end[i] <= len);
        if (b->out_end[i] > w->cursor)
            err = output_json_lines(json, lines + w->cursor, b->out_end[i] - w->cursor,
                                    errbuf, errbuf_size);
        w->cursor = b->out_end[i];
    }
    return err;
}

/* A worker's error as one driver reports it: its message, then its output's reason. */
static sy_err_t worker_error(const replay_worker_t *w, char *errbuf, size_t errbuf_size) {
    snprintf(errbuf, errbuf_size, "%s", w->errbuf);
    const char *why = output_json_error(w->now);
    if (why[0] && !strstr(errbuf, why)) {
        size_t len = strlen(errbuf);
        snprintf(errbuf + len, errbuf_size - len, "%s%s", len ? ": " : "", why);
    }
    return w->err;
}

/* After every worker ran block slot: when one of its records failed, write the outputs up
 * to it (its own included, as far as it got) and return its error. */
static sy_err_t block_failed(replay_parallel_t *par, int slot, output_json_t *json,
                             replay_stats_t *stats, char *errbuf, size_t errbuf_size) {
    const replay_block_t *b = &par->blocks[slot];
    size_t failed = atomic_load(&par->stop_at);
    if (failed == SIZE_MAX || failed >= b->first + b->count)
        return SY_OK; /* none failed, or in a later block */
    assert(failed >= b->first); /* an earlier block's failure ended the run */
    size_t i = failed - (size_t)b->first;
    replay_worker_t *w = &par->workers[b->owner[i]];
    assert(w->err != SY_OK && w->err_record == failed);
    block_write(par, b, slot, i, json, errbuf, errbuf_size);
    stats->records = failed + 1;
    return worker_error(w, errbuf, errbuf_size);
}

/* The key firings are ordered by across partitions, as simulate_finish fires them: due
 * time, then partition. */
static bool firing_before(const replay_firing_t *a, const replay_firing_t *b) {
    return a->due_ms != b->due_ms ? a->due_ms < b->due_ms : a->partition < b->partition;
}

/* The failed worker one driver would have stopped at first: its last firing (the one
 * that failed, or the one before its failure) comes first; a worker failing before any
 * firing, first of all. NULL when none failed. */
static replay_worker_t *finish_failed(replay_parallel_t *par) {
    replay_worker_t *first = NULL;
    for (int i = 0; i < par->threads; i++) {
        replay_worker_t *w = &par->workers[i];
        if (w->err == SY_OK)
            continue;
        if (w->firings_count == 0)
            return w;
        if (!first || firing_before(&w->firings[w->firings_count - 1],
                                    &first->firings[first->firings_count - 1]))
            first = w;
    }
    return first;
}

/* The worker whose next firing comes first; NULL when all are written. */
static replay_worker_t *finish_next(replay_parallel_t *par) {
    replay_worker_t *best = NULL;
    for (int i = 0; i < par->threads; i++) {
        replay_worker_t *w = &par->workers[i];
        if (w->firings_next < w->firings_count &&
            (!best || firing_before(&w->firings[w->firings_next],
                                    &best->firings[best->firings_next])))
            best = w;
    }
    return best;
}

/* The workers' simulate_finish, from the input's latest time; their firings' outputs
 * written in due order across partitions, up to the first failure. */
static sy_err_t par_finish(replay_parallel_t *par, output_json_t *json, char *errbuf,
                           size_t errbuf_size) {
    int64_t latest = INT64_MIN;
    for (int i = 0; i < par->threads; i++)
        if (simulate_latest_ms(par->workers[i].sim) > latest)
            latest = simulate_latest_ms(par->workers[i].sim);
    for (int i = 0; i < par->threads; i++)
        simulate_latest_raise(par->workers[i].sim, latest);
    par_tell(par, par->read, REPLAY_PHASE_FINISH);
    par_wait(par, UINT64_MAX);
    replay_worker_t *failed = finish_failed(par);
    replay_worker_t *w;
    sy_err_t err = SY_OK;
    while (err == SY_OK && (w = finish_next(par)) != NULL) {
        const replay_firing_t *f = &w->firings[w->firings_next++];
        if (failed && (failed->firings_count == 0 ||
                       firing_before(&failed->firings[failed->firings_count - 1], f)))
            break;
        size_t len = 0;
        const char *lines = output_json_memory(w->now, &len);
        size_t end = w->firings_next < w->firings_count ? w->firings[w->firings_next].start
                                                        : len;
        if (json && end > f->start)
            err = output_json_lines(json, lines + f->start, end - f->start, errbuf,
                                    errbuf_size);
    }
    return err == SY_OK && failed ? worker_error(failed, errbuf, errbuf_size) : err;
}

/* Add the workers' counts into stats, and their campaign metrics into the report. */
static void par_totals(replay_parallel_t *par, replay_stats_t *stats) {
    simulate_stats_t *sum = &stats->run;
    *sum = (simulate_stats_t){0};
    stats->dead_letters = 0;
    for (int i = 0; i < par->threads; i++) {
        replay_worker_t *w = &par->workers[i];
        simulate_stats_t s;
        simulate_stats_get(w->sim, &s);
        sum->events += s.events;
        sum->profile_updates += s.profile_updates;
        sum->decisions += s.decisions;
        sum->actions += s.actions;
        sum->contact_updates += s.contact_updates;
        sum->conversions += s.conversions;
        sum->timers_fired += s.timers_fired;
        sum->input_faults += s.input_faults;
        sum->duplicates += s.duplicates;
        sum->dead_letters += s.dead_letters;
        sum->suppressed += s.suppressed;
        sum->capped += s.capped;
        sum->held += s.held;
        sum->fatigued += s.fatigued;
        sum->timers_left |= s.timers_left;
        stats->dead_letters += w->stats.dead_letters;
        if (par->report) {
            admin_table_merge(&par->report->totals, &w->report.totals);
            par->report->failed |= w->report.failed;
            campaign_report_deinit(&w->report);
            w->report = (campaign_report_t){0};
        }
    }
}

/* Blocks through the workers until the input ends or a record fails: while a slot is free
 * (its block written) this thread reads the next records into it; else it waits until
 * every worker ran the oldest block and writes its outputs. */
static sy_err_t par_blocks(replay_parallel_t *par, replay_input_t *in, output_json_t *json,
                           progress_t *progress, replay_stats_t *stats, char *errbuf,
                           size_t errbuf_size) {
    char read_error[1024] = "";
    uint64_t written = 0; /* blocks whose outputs are written */
    sy_err_t err = SY_OK, read_err = SY_OK;
    while (err == SY_OK) {
        if (read_err == SY_OK && par->read - written < REPLAY_BLOCKS) {
            replay_block_t *b = &par->blocks[par->read % REPLAY_BLOCKS];
            read_err = block_read(par, b, in, stats, progress, read_error, sizeof read_error);
            if (b->count > 0)
                par_tell(par, par->read + 1, REPLAY_PHASE_BLOCKS);
            continue;
        }
        if (written == par->read)
            break; /* the input ended and every block is written */
        int slot = (int)(written % REPLAY_BLOCKS);
        par_wait(par, written);
        err = block_failed(par, slot, json, stats, errbuf, errbuf_size);
        if (err == SY_OK)
            err = block_write(par, &par->blocks[slot], slot, SIZE_MAX, json, errbuf,
                              errbuf_size);
        written++;
    }
    if (err != SY_OK && par->read > 0) {
        /* The run stops here: the workers skip what is left of the blocks they were given,
         * and are idle before their counts are read. */
        stop_at_lower(par, 0);
        par_wait(par, par->read - 1);
    }
    if (err == SY_OK && read_err != SY_OK && read_err != SY_ERR_NOT_FOUND) {
        snprintf(errbuf, errbuf_size, "%s", read_error);
        err = read_err;
    }
    return err;
}

sy_err_t replay_parallel_drive(replay_parallel_t *par, replay_input_t *in,
                               output_json_t *json, FILE *progress_out,
                               replay_stats_t *stats, char *errbuf, size_t errbuf_size) {
    progress_t progress;
    if (progress_out)
        progress_init(&progress, progress_out, "replay");
    par->discard = json == NULL;
    sy_err_t err = par_blocks(par, in, json, progress_out ? &progress : NULL, stats, errbuf,
                              errbuf_size);
    if (err == SY_OK)
        err = par_finish(par, json, errbuf, errbuf_size);
    if (progress_out)
        progress_finish(&progress, stats->records);
    par_totals(par, stats);
    return err;
}
