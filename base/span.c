/* span.c: joining source spans (span.h). */
#include "span.h"

source_span source_span_join(source_span a, source_span b)
{
    if (a.line == 0)
        return b;
    if (b.line == 0)
        return a;
    source_span s = a.off <= b.off ? a : b;
    int end_a = a.off + a.len, end_b = b.off + b.len;
    int end = end_a > end_b ? end_a : end_b;
    s.len = end - s.off;
    s.key_off = -1;
    return s;
}
