/* send_rate.c — the token bucket: refilled from the monotonic clock at every take, so
 * no timer runs between messages. */
#include "send_rate.h"
#include "sy_backoff.h"
#include "sy_clock.h"

static double bucket_size(const send_rate_t *r) {
    return r->rate_per_s < 1.0 ? 1.0 : r->rate_per_s;
}

void send_rate_init(send_rate_t *r, int64_t rate_per_s) {
    r->rate_per_s = (double)rate_per_s;
    r->tokens = bucket_size(r);
    r->last_us = sy_clock_mono_us();
}

bool send_rate_take(send_rate_t *r, const atomic_int *stop) {
    if (r->rate_per_s <= 0.0)
        return true;
    for (;;) {
        int64_t now = sy_clock_mono_us();
        r->tokens += (double)(now - r->last_us) * r->rate_per_s / 1e6;
        r->last_us = now;
        if (r->tokens > bucket_size(r))
            r->tokens = bucket_size(r);
        if (r->tokens >= 1.0) {
            r->tokens -= 1.0;
            return true;
        }
        int64_t wait_ms = (int64_t)((1.0 - r->tokens) * 1000.0 / r->rate_per_s) + 1;
        if (!sy_backoff_sleep_ms(wait_ms, stop))
            return false;
    }
}
