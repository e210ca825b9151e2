/*
 * merge.h - Kuma's merge of policy confs: RFC 7396 JSON merge patch over YAML trees.
 *
 * docs/routing.md §2.3 (merge.Confs in pkg/plugins/policies/core/rules/merge/merge.go):
 * confs are folded in priority order, each later one patching the result so far.
 * Mappings merge key by key; anything else (lists included) replaces what was there.
 *
 * One difference from a textbook merge patch follows from how Kuma gets its JSON: the
 * confs are Go structs marshalled with `omitempty`, so a YAML `null` (a nil pointer) is
 * simply absent and never deletes a value.  A null in a patch therefore keeps the target.
 */
#ifndef MODEL_MERGE_H
#define MODEL_MERGE_H

#include "model/node.h"

/* Returns `target` patched by `patch`.  Neither input is modified; the result shares
 * unchanged subtrees with them and is otherwise allocated in `a`.  `target` may be NULL. */
const model_node *model_merge_patch(model_arena *a, const model_node *target,
                                    const model_node *patch);

#endif
