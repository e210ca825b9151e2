/*
 * merge.c - JSON merge patch over trees; see merge.h.
 */
#include "model/merge.h"

const model_node *model_merge_patch(model_arena *a, const model_node *target,
                                    const model_node *patch)
{
    if (!patch || model_node_is_null(patch))
        return target;
    if (patch->kind != MODEL_NODE_MAP)
        return patch; /* scalars and lists replace wholesale */
    size_t cap = patch->n + (target && target->kind == MODEL_NODE_MAP ? target->n : 0);
    model_node *out = model_node_new_container(a, MODEL_NODE_MAP, patch->mark, cap);
    if (target && target->kind == MODEL_NODE_MAP) {
        /* Keys of the target keep their order; patched values replace in place. */
        for (size_t i = 0; i < target->n; i++) {
            const model_node *p = model_node_get(patch, target->keys[i]->text);
            const model_node *v = model_merge_patch(a, target->items[i], p);
            model_node_append(out, target->keys[i], (model_node *)v);
        }
    }
    for (size_t i = 0; i < patch->n; i++) {
        if (model_node_find(out, patch->keys[i]->text) >= 0 || model_node_is_null(patch->items[i]))
            continue;
        const model_node *v = model_merge_patch(a, NULL, patch->items[i]);
        model_node_append(out, patch->keys[i], (model_node *)v);
    }
    return out;
}
