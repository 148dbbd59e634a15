/* inspect_engagement.c — the engagement part of `switchyard inspect`: each channel's
 * record of the contact's engagement memory, as text and as JSON, with the counters as
 * stored (decayed to the channel's last update) and the rates they give. Not how they are
 * kept or updated (state_engagement.c, engine_engagement.c). */
#include <json-c/json.h>
#include <math.h>

#include "inspect.h"

static const char *const horizon_names[STATE_ENGAGEMENT_HORIZONS] = {"7d", "30d", "90d"};
static const char *const counter_names[STATE_ENGAGEMENT_COUNTERS] = {"sends", "engaged",
                                                                     "opens", "clicks"};

/* counter over sends at horizon h, at most 1; -1 when nothing was sent. */
static double rate(const state_engagement_channel_t *ch, int counter, int h) {
    double sends = ch->decayed[h][STATE_ENGAGEMENT_SENDS];
    if (!(sends > 0.0))
        return -1.0;
    double r = ch->decayed[h][counter] / sends;
    return r > 1.0 ? 1.0 : r;
}

static void time_print(const char *what, int64_t ms, FILE *out) {
    char when[INSPECT_TIME_BYTES];
    if (ms == INT64_MIN)
        return;
    inspect_time_format(ms, when);
    fprintf(out, " %s %s", what, when);
}

void inspect_engagement_print_text(const inspect_report_t *r, FILE *out) {
    bool header = false;
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        const state_engagement_channel_t *ch = &r->engagement.channels[c];
        char when[INSPECT_TIME_BYTES];
        if (ch->updated_ms == INT64_MIN)
            continue;
        if (!header)
            fprintf(out, "\nengagement (counters decayed to each channel's last update):\n");
        header = true;
        inspect_time_format(ch->updated_ms, when);
        fprintf(out, "  %-8s at %s, ignored_streak %u;", sy_channel_name((sy_channel_t)c),
                when, (unsigned)ch->ignored_streak);
        time_print("sent", ch->sent_ms, out);
        time_print("delivered", ch->delivered_ms, out);
        time_print("engaged", ch->engaged_ms, out);
        fprintf(out, "\n");
        for (int h = 0; h < STATE_ENGAGEMENT_HORIZONS; h++) {
            fprintf(out, "    %-3s", horizon_names[h]);
            for (int k = 0; k < STATE_ENGAGEMENT_COUNTERS; k++)
                fprintf(out, " %s %.6g", counter_names[k], (double)ch->decayed[h][k]);
            double e = rate(ch, STATE_ENGAGEMENT_ENGAGED, h);
            if (e >= 0)
                fprintf(out, " engagement_rate %.6g", e);
            fprintf(out, "\n");
        }
    }
}

static json_object *time_json(int64_t ms) {
    char when[INSPECT_TIME_BYTES];
    if (ms == INT64_MIN)
        return NULL;
    inspect_time_format(ms, when);
    return json_object_new_string(when);
}

static json_object *channel_json(const state_engagement_channel_t *ch) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "at", time_json(ch->updated_ms));
    json_object_object_add(o, "sent_at", time_json(ch->sent_ms));
    json_object_object_add(o, "delivered_at", time_json(ch->delivered_ms));
    json_object_object_add(o, "engaged_at", time_json(ch->engaged_ms));
    json_object_object_add(o, "ignored_streak", json_object_new_int(ch->ignored_streak));
    for (int h = 0; h < STATE_ENGAGEMENT_HORIZONS; h++) {
        json_object *hz = json_object_new_object();
        for (int k = 0; k < STATE_ENGAGEMENT_COUNTERS; k++)
            json_object_object_add(hz, counter_names[k],
                                   json_object_new_double(ch->decayed[h][k]));
        double e = rate(ch, STATE_ENGAGEMENT_ENGAGED, h);
        json_object_object_add(hz, "engagement_rate", e >= 0 ? json_object_new_double(e)
                                                              : NULL);
        json_object_object_add(o, horizon_names[h], hz);
    }
    return o;
}

json_object *inspect_engagement_json(const inspect_report_t *r) {
    json_object *o = json_object_new_object();
    for (int c = 0; o && c < SY_CHANNEL__COUNT; c++)
        if (r->engagement.channels[c].updated_ms != INT64_MIN)
            json_object_object_add(o, sy_channel_name((sy_channel_t)c),
                                   channel_json(&r->engagement.channels[c]));
    return o;
}
