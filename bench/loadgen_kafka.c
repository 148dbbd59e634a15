/* loadgen_kafka.c — `loadgen kafka` (open loop: the generator's records produced at a
 * fixed rate, whatever the broker does) and `loadgen closed-loop` (entries at a rate, and
 * simulated providers answering the engine's action commands). A benchmark tool: every
 * wait is bounded; the summary is one line of `name value` pairs. Not the generator. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "loadgen_cli.h"
#include "sy_clock.h"

/* Records produced between two polls of delivery reports (and, closed loop, of action
 * commands): small bursts keep the schedule smooth and the reports drained. */
#define LOADGEN_BURST_MAX 1000
/* Longest sleep of the pacing loop: the schedule is checked at least this often. */
#define LOADGEN_TICK_MS 2
/* Action commands answered per poll round, so producing stays on schedule. */
#define LOADGEN_ANSWER_BATCH_MAX 1000
/* Longest the final flush (and the consumer's close) may take. */
#define LOADGEN_FLUSH_TIMEOUT_MS 30000
/* Longest regex of the action topics: the prefix escaped, "^" and ".*". */
#define LOADGEN_REGEX_BYTES 512

typedef struct kafka_run {
    const loadgen_cli_t *cli;
    loadgen_t *gen;
    rd_kafka_t *producer, *consumer;
    codec_t *codec, *answer_codec;
    uint64_t produced, failed, actions, answers, undecodable;
    double behind_max_s;
    int error; /* a produce call failed for good */
} kafka_run_t;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    kafka_run_t *run = opaque;
    if (msg->err)
        run->failed++;
}

static rd_kafka_t *client_new(const loadgen_cli_t *cli, rd_kafka_type_t type,
                              const char *const *extra, kafka_run_t *run) {
    char errbuf[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int bad = rd_kafka_conf_set(conf, "bootstrap.servers", cli->bootstrap, errbuf,
                                sizeof errbuf) != RD_KAFKA_CONF_OK;
    for (; !bad && extra && extra[0]; extra += 2)
        bad = rd_kafka_conf_set(conf, extra[0], extra[1], errbuf, sizeof errbuf) !=
              RD_KAFKA_CONF_OK;
    for (size_t i = 0; !bad && i < cli->kafka_props_count; i++)
        bad = rd_kafka_conf_set(conf, cli->kafka_props[2 * i], cli->kafka_props[2 * i + 1],
                                errbuf, sizeof errbuf) != RD_KAFKA_CONF_OK;
    if (bad) {
        fprintf(stderr, "loadgen: %s\n", errbuf);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, run);
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, errbuf, sizeof errbuf);
    if (!rk)
        fprintf(stderr, "loadgen: %s\n", errbuf);
    return rk;
}

/* Produce one frame keyed by contact, timestamp = now (CreateTime). A full queue is waited
 * out (the broker is slow): the schedule does not move, the run falls behind. */
static int produce(kafka_run_t *run, const char *topic, const char *contact,
                   const void *frame, size_t len) {
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(run->producer, RD_KAFKA_V_TOPIC(topic),
                                    RD_KAFKA_V_KEY(contact, strlen(contact)),
                                    RD_KAFKA_V_VALUE((void *)frame, len),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_TIMESTAMP(sy_clock_wall_ms()), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(run->producer, 1);
    if (err) {
        fprintf(stderr, "loadgen: produce to %s: %s\n", topic, rd_kafka_err2str(err));
        run->error = 1;
        return 0;
    }
    return 1;
}

/* Produce the generator's next record; 0 when it has none left or on an error. */
static int produce_next(kafka_run_t *run) {
    char errbuf[512];
    loadgen_item_t item;
    const void *frame;
    size_t len;
    if (!loadgen_next(run->gen, &item))
        return 0;
    if (loadgen_encode(run->codec, &item, &frame, &len, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "loadgen: encode: %s\n", errbuf);
        run->error = 1;
        return 0;
    }
    const char *topic = item.origin == LOADGEN_PROFILE ? run->cli->profiles_topic
                                                       : run->cli->topic;
    if (!produce(run, topic, item.contact_id, frame, len))
        return 0;
    run->produced++;
    return 1;
}

/* Answer one action command as the channel's provider would: events naming the message
 * by its action id, at the simulated times. */
static void answer(kafka_run_t *run, const rd_kafka_message_t *msg) {
    char errbuf[512];
    sy_action_t action;
    channel_sim_event_t out[CHANNEL_SIM_EVENTS_MAX];
    if (codec_decode_action(run->answer_codec, msg->payload, msg->len, &action, errbuf,
                            sizeof errbuf) != SY_OK) {
        run->undecodable++;
        return;
    }
    run->actions++;
    size_t n = loadgen_rates_respond(&run->cli->rates, run->cli->conf.seed, &action, out);
    for (size_t i = 0; i < n && !run->error; i++) {
        sy_event_t ev;
        const void *frame;
        size_t len;
        channel_sim_event_view(&out[i], &ev);
        if (codec_encode_event(run->answer_codec, &ev, &frame, &len, errbuf, sizeof errbuf) !=
            SY_OK) {
            fprintf(stderr, "loadgen: encode answer: %s\n", errbuf);
            run->error = 1;
            return;
        }
        if (produce(run, run->cli->topic, out[i].contact_id, frame, len))
            run->answers++;
    }
}

static void answer_poll(kafka_run_t *run) {
    for (int i = 0; i < LOADGEN_ANSWER_BATCH_MAX && !run->error; i++) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(run->consumer, 0);
        if (!msg)
            return;
        if (!msg->err)
            answer(run, msg);
        rd_kafka_message_destroy(msg);
    }
}

static void sleep_s(double s) {
    if (s <= 0)
        return;
    double cap = LOADGEN_TICK_MS / 1000.0;
    s = s < cap ? s : cap;
    struct timespec pause = {0, (long)(s * 1e9)};
    nanosleep(&pause, NULL);
}

/* Record i is due at start + i / rate. Produce what is due in bursts, measure how far
 * behind the schedule the run is, and stop at the duration or when the records are
 * done (closed loop: answering goes on until the duration). */
static double paced_run(kafka_run_t *run) {
    const double rate = run->cli->rate, duration = run->cli->duration_s;
    double start = sy_clock_mono_s(), elapsed = 0;
    int exhausted = 0;
    while (!run->error) {
        elapsed = sy_clock_mono_s() - start;
        if (duration > 0 && elapsed >= duration)
            break;
        uint64_t due = (uint64_t)(elapsed * rate) + 1;
        if (!exhausted && due > run->produced + 1) {
            double behind = (double)(due - run->produced - 1) / rate;
            run->behind_max_s = behind > run->behind_max_s ? behind : run->behind_max_s;
        }
        for (int burst = 0; !exhausted && run->produced < due && burst < LOADGEN_BURST_MAX;
             burst++)
            exhausted = !produce_next(run);
        rd_kafka_poll(run->producer, 0);
        if (run->consumer)
            answer_poll(run);
        else if (exhausted)
            break;
        if (exhausted || run->produced >= due)
            sleep_s(exhausted ? 1.0 : start + (double)run->produced / rate - sy_clock_mono_s());
    }
    return sy_clock_mono_s() - start;
}

static void flush(kafka_run_t *run) {
    rd_kafka_resp_err_t err = rd_kafka_flush(run->producer, LOADGEN_FLUSH_TIMEOUT_MS);
    if (err) {
        fprintf(stderr, "loadgen: flush: %s\n", rd_kafka_err2str(err));
        run->error = 1;
    }
}

static int run_open(kafka_run_t *run, const loadgen_cli_t *cli, loadgen_t *gen) {
    char errbuf[512];
    static const char *const producer_props[] = {"partitioner", "murmur2_random",
                                                 "linger.ms", "5", NULL};
    memset(run, 0, sizeof *run);
    run->cli = cli;
    run->gen = gen;
    run->producer = client_new(cli, RD_KAFKA_PRODUCER, producer_props, run);
    if (!run->producer)
        return 0;
    if (codec_open(&run->codec, errbuf, sizeof errbuf) != SY_OK ||
        codec_open(&run->answer_codec, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "loadgen: %s\n", errbuf);
        return 0;
    }
    return 1;
}

static void run_close(kafka_run_t *run) {
    if (run->consumer) {
        rd_kafka_consumer_close(run->consumer);
        rd_kafka_destroy(run->consumer);
    }
    if (run->producer)
        rd_kafka_destroy(run->producer);
    codec_close(run->codec);
    codec_close(run->answer_codec);
}

int loadgen_kafka_run(const loadgen_cli_t *cli, loadgen_t *gen) {
    kafka_run_t run;
    if (!run_open(&run, cli, gen)) {
        run_close(&run);
        return 1;
    }
    double seconds = paced_run(&run);
    /* Stopped by the duration with records left: how many seconds of schedule were
     * unmet. Every record produced: none. */
    double behind_end = loadgen_peek_ms(gen) == INT64_MAX
                            ? 0
                            : (seconds * cli->rate - (double)run.produced) / cli->rate;
    behind_end = behind_end > 0 ? behind_end : 0;
    flush(&run);
    double total = seconds; /* the rate is of the paced part, before the flush */
    printf("produced %" PRIu64 " seconds %.2f events_per_s %.0f target_rate %.0f "
           "behind_max_s %.3f behind_end_s %.3f failed %" PRIu64 "\n",
           run.produced, total, total > 0 ? (double)run.produced / total : 0.0, cli->rate,
           run.behind_max_s, behind_end, run.failed);
    int rc = run.error || run.failed ? 1 : 0;
    run_close(&run);
    return rc;
}

/* "^<prefix escaped>.*": librdkafka subscribes to every topic matching it, also those
 * created later. */
static void actions_regex(const char *prefix, char *out, size_t size) {
    size_t n = 0;
    out[n++] = '^';
    for (const char *p = prefix; *p && n + 4 < size; p++) {
        if (strchr(".^$*+?()[]{}|\\", *p))
            out[n++] = '\\';
        out[n++] = *p;
    }
    snprintf(out + n, size - n, ".*");
}

static int consumer_open(kafka_run_t *run, const loadgen_cli_t *cli) {
    char group[64], regex[LOADGEN_REGEX_BYTES];
    snprintf(group, sizeof group, "loadgen-%ld", (long)getpid());
    const char *const props[] = {"group.id", cli->group ? cli->group : group,
                                 "isolation.level", "read_committed",
                                 "auto.offset.reset", "earliest",
                                 "topic.metadata.refresh.interval.ms", "1000", NULL};
    run->consumer = client_new(cli, RD_KAFKA_CONSUMER, props, run);
    if (!run->consumer)
        return 0;
    rd_kafka_poll_set_consumer(run->consumer);
    actions_regex(cli->actions_prefix, regex, sizeof regex);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, regex, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(run->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        fprintf(stderr, "loadgen: subscribe %s: %s\n", regex, rd_kafka_err2str(err));
        return 0;
    }
    return 1;
}

int loadgen_closed_loop_run(const loadgen_cli_t *cli, loadgen_t *gen) {
    kafka_run_t run;
    if (!run_open(&run, cli, gen) || !consumer_open(&run, cli)) {
        run_close(&run);
        return 1;
    }
    double seconds = paced_run(&run);
    flush(&run);
    printf("produced %" PRIu64 " seconds %.2f events_per_s %.0f target_rate %.0f "
           "behind_max_s %.3f actions %" PRIu64 " answers %" PRIu64 " undecodable %" PRIu64
           " failed %" PRIu64 "\n",
           run.produced, seconds, seconds > 0 ? (double)run.produced / seconds : 0.0,
           cli->rate, run.behind_max_s, run.actions, run.answers, run.undecodable,
           run.failed);
    int rc = run.error || run.failed ? 1 : 0;
    run_close(&run);
    return rc;
}
