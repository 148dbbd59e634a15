/* campaign_report.h — the campaign metrics of an offline run (`replay --report`,
 * `simulate --report`): totals per journey version and node, printed as a table per
 * journey and send node, or as JSON in the shape of the admin server's /journeys. For
 * the same input they are the numbers the service's /metrics shows. Not the counting
 * (campaign.h). */
#ifndef SY_CAMPAIGN_REPORT_H
#define SY_CAMPAIGN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "admin_table.h"
#include "campaign.h"

/* Zero-initialise ({0}); campaign_report_deinit frees it. */
typedef struct campaign_report {
    admin_table_t totals; /* family: the metric; labels: journey, version, node, detail */
    bool failed;          /* a count could not be kept (out of memory) */
} campaign_report_t;

/* A campaign_count_fn adding into the report ctx points at. */
void campaign_report_count(void *ctx, const campaign_count_t *count, int64_t delta);

/* A campaign_value_fn reading the report ctx points at (revenue in the events' unit). */
double campaign_report_value(void *ctx, const campaign_count_t *count);

/* Write r's totals for every journey version of journeys (sorted by id, then version):
 * json false, a table per journey and its send nodes; true, one JSON object
 * {"journeys":[{"id","version","campaign":{...},"nodes":[{"id","campaign":{...}}]}]}.
 * Errors: SY_ERR_NOMEM (r->failed, or while writing), SY_ERR_IO (out failed). */
sy_err_t campaign_report_write(const campaign_report_t *r, const journey_set_t *journeys,
                               bool json, FILE *out, char *errbuf, size_t errbuf_size);

/* Free what r holds. NULL-safe. */
void campaign_report_deinit(campaign_report_t *r);

#endif
