/* inspect_leases.c — the call-tracking leases `inspect` shows of a contact: the leases of
 * its partition that name it, live or ended (a lease is kept until its number is leased
 * again). Text and JSON add them only when there are some, so a contact without call
 * tracking reads as before. Not the leasing: engine_calls_lease.c. */
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

#include "inspect.h"

static int lease_visit(void *ctx, int32_t partition, const char *pool, const char *number,
                       const state_lease_t *lease) {
    inspect_report_t *r = ctx;
    (void)partition;
    if (strcmp(lease->contact_id, r->contact_id) != 0)
        return 0;
    if (r->leases_count == INSPECT_LEASES_MAX) {
        r->leases_truncated = true;
        return 1;
    }
    struct inspect_lease *l = &r->leases[r->leases_count++];
    snprintf(l->pool, sizeof l->pool, "%s", pool);
    snprintf(l->number, sizeof l->number, "%s", number);
    l->lease = *lease;
    return 0;
}

sy_err_t inspect_leases_gather(inspect_report_t *r, state_store_t *store, char *errbuf,
                               size_t errbuf_size) {
    if (r->event_ids_partition < 0)
        return SY_OK;
    return state_store_leases_scan(store, r->event_ids_partition, lease_visit, r, errbuf,
                                   errbuf_size);
}

void inspect_leases_print_text(const inspect_report_t *r, FILE *out) {
    if (r->leases_count == 0)
        return;
    fprintf(out, "\nleases (partition %" PRId32 "): %zu%s\n", r->event_ids_partition,
            r->leases_count, r->leases_truncated ? " (more not shown)" : "");
    for (size_t i = 0; i < r->leases_count; i++) {
        const struct inspect_lease *l = &r->leases[i];
        char from[INSPECT_TIME_BYTES], until[INSPECT_TIME_BYTES];
        inspect_time_format(l->lease.leased_at_ms, from);
        inspect_time_format(l->lease.expires_at_ms, until);
        fprintf(out, "  %s %s: %s v%" PRId32 " node %s message %s, %s to %s\n", l->pool,
                l->number, l->lease.journey_id, l->lease.journey_version, l->lease.node_id,
                l->lease.action_id, from, until);
    }
}

void inspect_leases_json(const inspect_report_t *r, json_object *root) {
    if (r->leases_count == 0)
        return;
    json_object *leases = json_object_new_array();
    for (size_t i = 0; i < r->leases_count; i++) {
        const struct inspect_lease *l = &r->leases[i];
        char from[INSPECT_TIME_BYTES], until[INSPECT_TIME_BYTES];
        inspect_time_format(l->lease.leased_at_ms, from);
        inspect_time_format(l->lease.expires_at_ms, until);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "pool", json_object_new_string(l->pool));
        json_object_object_add(o, "number", json_object_new_string(l->number));
        json_object_object_add(o, "journey", json_object_new_string(l->lease.journey_id));
        json_object_object_add(o, "version", json_object_new_int(l->lease.journey_version));
        json_object_object_add(o, "node", json_object_new_string(l->lease.node_id));
        json_object_object_add(o, "message", json_object_new_string(l->lease.action_id));
        json_object_object_add(o, "from", json_object_new_string(from));
        json_object_object_add(o, "until", json_object_new_string(until));
        json_object_array_add(leases, o);
    }
    json_object_object_add(root, "leases", leases);
    json_object_object_add(root, "leases_truncated",
                           json_object_new_boolean(r->leases_truncated));
}
