/* engine_calls_rules.c — a conversion rule on one call: its duration, the phrases its
 * transcript must contain, its outcome and its caller. A rule waits until what it reads
 * has arrived (Twilio reports the duration and the transcript in later callbacks than
 * the call itself). Pure: what a conversion writes is engine_calls_inbound.c's. */
#include "engine_calls.h"

#include <assert.h>
#include <ctype.h>
#include <string.h>

/* True when phrase (lower case) is in text, case-insensitively, at word boundaries. */
static bool phrase_in(const char *text, const char *phrase) {
    size_t n = strlen(phrase), len = strlen(text);
    assert(n > 0);
    for (size_t i = 0; i + n <= len; i++) {
        if (i > 0 && isalnum((unsigned char)text[i - 1]))
            continue;
        size_t k = 0;
        while (k < n && tolower((unsigned char)text[i + k]) == phrase[k])
            k++;
        if (k == n && !isalnum((unsigned char)text[i + n]))
            return true;
    }
    return false;
}

engine_calls_verdict_t engine_calls_rule_eval(const engine_calls_rule_t *rule,
                                              const state_call_t *call, const char *caller) {
    bool wait = false;
    assert(rule && call);
    if (rule->caller_attr && (!caller || strcmp(caller, call->caller) != 0))
        return call->caller[0] ? ENGINE_CALLS_NO : ENGINE_CALLS_WAIT;
    if (rule->duration_min_s >= 0) {
        if (call->duration_s < 0)
            wait = true;
        else if (call->duration_s < rule->duration_min_s)
            return ENGINE_CALLS_NO;
    }
    if (rule->outcome) {
        if (!call->outcome[0])
            wait = true;
        else if (strcmp(call->outcome, rule->outcome) != 0)
            return ENGINE_CALLS_NO;
    }
    if (rule->phrases_count) {
        if (!call->has_transcript)
            return ENGINE_CALLS_WAIT;
        for (size_t i = 0; i < rule->phrases_count; i++)
            if (!phrase_in(call->transcript, rule->phrases[i]))
                return ENGINE_CALLS_NO;
    }
    return wait ? ENGINE_CALLS_WAIT : ENGINE_CALLS_YES;
}
