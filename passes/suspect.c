/* suspect.c: the suspect list shared by diagnosis and repair (suspect.h):
 * the repair class and finding kind names, growing and freeing a list. */
#include "suspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUSPECT_X_KIND_NAME(id, name) name,
const char *const suspect_kind_names[] = {SUSPECT_KINDS(SUSPECT_X_KIND_NAME)};

#define REPAIR_X_NAME(id, name, fn, summary) #name,
const char *const repair_class_names[] = {REPAIR_CLASSES(REPAIR_X_NAME)};

void suspect_list_free(suspect_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

suspect *suspect_list_add(suspect_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->items = ir_realloc(l->items, sizeof *l->items * (size_t)l->cap);
    }
    suspect *s = &l->items[l->n++];
    memset(s, 0, sizeof *s);
    return s;
}

void suspect_place(const suspect *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", s->target == SUSPECT_NODE ? s->node : suspect_target_name(s->target),
             s->attribute);
}

const char *suspect_target_name(suspect_target t)
{
    switch (t) {
    case SUSPECT_NODE: return "node";
    case SUSPECT_TRAIN: return "train";
    case SUSPECT_DATA: return "data";
    }
    return "?";
}
