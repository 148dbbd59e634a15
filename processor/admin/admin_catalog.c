/* admin_catalog.c — every metric family the runner fills: its Prometheus name, type,
 * labels and help text, and the histograms' buckets. docs/observability.md lists the same;
 * the families the server measures itself (memory, disk) are in admin_metrics.c. */
#include "admin_int.h"

/* Campaign metrics are totals since the version was deployed, kept in state per partition
 * (like the live counts) and set from it: sum them over instances. */
#define CAMPAIGN_HELP " since the version was deployed, summed over this instance's " \
                      "partitions (kept in state: sum over instances)."
#define CAMPAIGN_FAMILY(m, name, n, detail, help)                                          \
    [ADMIN_CAMPAIGN_##m] = {"switchyard_campaign_" name "_total", ADMIN_COUNTER, n,         \
                            {"journey", "version", detail}, help CAMPAIGN_HELP, .set = true}
#define CAMPAIGN_NODE_FAMILY(m, name, detail, help)                                        \
    [ADMIN_CAMPAIGN_##m] = {"switchyard_campaign_" name "_total", ADMIN_COUNTER, 4,         \
                            {"journey", "version", "node", detail}, help CAMPAIGN_HELP,    \
                            .set = true}

const admin_family_def_t admin_families[ADMIN_FAMILY__COUNT] = {
    [ADMIN_INPUT_RECORDS] = {"switchyard_input_records_total", ADMIN_COUNTER, 2,
                             {"topic", "type"},
                             "Input records of committed batches, by topic and event type "
                             "(channel.type; \"profile\" for profile updates, \"invalid\" for "
                             "records that became dead letters)."},
    [ADMIN_DEAD_LETTERS] = {"switchyard_dead_letters_total", ADMIN_COUNTER, 1, {"reason"},
                            "Records produced to the dead-letter topic, by error code."},
    [ADMIN_DECISIONS] = {"switchyard_decisions_total", ADMIN_COUNTER, 5,
                         {"journey", "version", "from", "to", "path"},
                         "Routing decisions produced by this process, by journey version, "
                         "node left (\"\" on entry), node or goal:/exit: entered and path."},
    [ADMIN_ACTIONS] = {"switchyard_actions_total", ADMIN_COUNTER, 2, {"channel", "template"},
                       "Action commands produced, by channel and template."},
    [ADMIN_CONTACT_UPDATES] = {"switchyard_contact_updates_total", ADMIN_COUNTER, 0, {0},
                               "Contact updates produced."},
    [ADMIN_SENDS_STOPPED] = {"switchyard_sends_stopped_total", ADMIN_COUNTER, 1, {"reason"},
                             "Sends a journey reached that were not sent, by reason."},
    [ADMIN_TIMERS_FIRED] = {"switchyard_timers_fired_total", ADMIN_COUNTER, 0, {0},
                            "Timers fired in committed batches."},
    [ADMIN_DUPLICATES] = {"switchyard_duplicate_events_total", ADMIN_COUNTER, 0, {0},
                          "Input events dropped as already seen."},
    [ADMIN_BATCHES] = {"switchyard_batches_total", ADMIN_COUNTER, 0, {0},
                       "Batches committed (one Kafka transaction each under exactly_once)."},
    [ADMIN_ABORTS] = {"switchyard_transaction_aborts_total", ADMIN_COUNTER, 0, {0},
                      "Batches aborted to be processed again (an abortable Kafka error)."},
    [ADMIN_BATCHES_OVERLAPPED] = {"switchyard_batches_overlapped_total", ADMIN_COUNTER, 0, {0},
                                  "Batches committed while the next batch was processed "
                                  "(pipelined commits)."},
    [ADMIN_RESTORE_RECORDS] = {"switchyard_restore_records_total", ADMIN_COUNTER, 1,
                               {"partition"},
                               "Changelog records applied by restores, by partition."},
    [ADMIN_CACHE_HITS] = {"switchyard_state_cache_hits_total", ADMIN_COUNTER, 0, {0},
                          "Instance reads the state store's write-back cache answered.",
                          .set = true},
    [ADMIN_CACHE_MISSES] = {"switchyard_state_cache_misses_total", ADMIN_COUNTER, 0, {0},
                            "Instance reads that went to RocksDB.", .set = true},
    [ADMIN_CACHE_BYTES] = {"switchyard_state_cache_bytes", ADMIN_GAUGE, 0, {0},
                           "Bytes held by the state store's write-back cache."},
    [ADMIN_CONSUMER_LAG] = {"switchyard_consumer_lag_records", ADMIN_GAUGE, 2,
                            {"topic", "partition"},
                            "High watermark minus position of an assigned partition, from "
                            "the consumer's cache, at the last commit."},
    [ADMIN_PARTITIONS] = {"switchyard_partitions", ADMIN_GAUGE, 1, {"state"},
                          "Events partitions assigned to this instance, and of those the "
                          "restored ones."},
    [ADMIN_NODE_CONTACTS] = {"switchyard_journey_node_contacts", ADMIN_GAUGE, 3,
                             {"journey", "version", "node"},
                             "Contacts now at a node, summed over this instance's partitions "
                             "(kept in state: sum over instances)."},
    [ADMIN_PATH_CONTACTS] = {"switchyard_journey_path_contacts", ADMIN_GAUGE, 5,
                             {"journey", "version", "from", "to", "path"},
                             "Contacts that took a path since the version was deployed, "
                             "summed over this instance's partitions (kept in state: sum "
                             "over instances; moves with partitions, so not for rate())."},
    CAMPAIGN_FAMILY(ENTERED, "entered", 2, "goal", "Contacts that entered the journey version"),
    CAMPAIGN_FAMILY(COMPLETED, "completed", 2, "goal",
                    "Contacts that reached an exit node of the journey version"),
    CAMPAIGN_FAMILY(GOALS, "goals", 3, "goal", "Contacts that reached a goal rule"),
    CAMPAIGN_FAMILY(EXITS, "exits", 3, "rule", "Contacts an exit rule ended"),
    CAMPAIGN_NODE_FAMILY(CONVERSIONS, "conversions", "goal",
                         "Goals reached, by the node the contact was at"),
    CAMPAIGN_NODE_FAMILY(REVENUE, "revenue", "goal",
                         "Sum of the value of the events that reached a goal, by the node the "
                         "contact was at"),
    CAMPAIGN_NODE_FAMILY(SENT, "sends", "channel", "Action commands a send node produced"),
    CAMPAIGN_NODE_FAMILY(DELIVERED, "delivered", "channel",
                         "Messages of a send node reported delivered (once per message)"),
    CAMPAIGN_NODE_FAMILY(OPENED, "opened", "channel",
                         "Messages of a send node reported opened (once per message)"),
    CAMPAIGN_NODE_FAMILY(CLICKED, "clicked", "channel",
                         "Messages of a send node reported clicked (once per message)"),
    CAMPAIGN_NODE_FAMILY(REPLIED, "replied", "channel",
                         "SMS of a send node replied to (once per message)"),
    CAMPAIGN_NODE_FAMILY(ANSWERED, "answered", "channel",
                         "Calls of a send node answered (once per message)"),
    CAMPAIGN_NODE_FAMILY(BOUNCED, "bounced", "channel",
                         "Emails of a send node reported bounced (once per message)"),
    CAMPAIGN_NODE_FAMILY(CALL_CONVERSIONS, "call_conversions", "currency",
                         "Conversions of the calls to the tracking numbers a send node "
                         "leased, by the conversion's currency"),
    CAMPAIGN_NODE_FAMILY(CALL_REVENUE, "call_revenue", "currency",
                         "Sum of the value of the conversions of the calls to the tracking "
                         "numbers a send node leased, in the conversion's currency"),
};

/* Records per batch: powers of two up to batch.records.max's largest useful values. */
const double admin_batch_records_bounds[] = {1,   2,    4,    8,    16,   32,   64,
                                             128, 256,  512,  1024, 2048, 4096, 8192,
                                             16384, 32768, 65536};
const size_t admin_batch_records_bounds_count =
    sizeof admin_batch_records_bounds / sizeof admin_batch_records_bounds[0];

/* Commit latency in seconds: 1 ms to 30 s (RUNNER_TXN_TIMEOUT_MS), finer where loopback
 * and LAN commits fall. */
const double admin_commit_seconds_bounds[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                              0.2,   0.5,   1,     2,    5,    10,   30};
const size_t admin_commit_seconds_bounds_count =
    sizeof admin_commit_seconds_bounds / sizeof admin_commit_seconds_bounds[0];

const char *const admin_commit_phase_names[ADMIN_PHASES] = {"acknowledge", "transaction"};

_Static_assert(sizeof admin_batch_records_bounds / sizeof(double) <= ADMIN_HIST_BUCKETS_MAX,
               "batch size buckets fit a histogram");
_Static_assert(sizeof admin_commit_seconds_bounds / sizeof(double) <= ADMIN_HIST_BUCKETS_MAX,
               "commit latency buckets fit a histogram");
