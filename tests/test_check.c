/*
 * test_check.c - the files `check` runs: scenarios found in folders (in name order),
 * resource files skipped, hidden entries and other extensions left alone, symbolic link
 * loops said and not walked, missing paths as errors, files named on the command line
 * always run; the totals; and the error text an errored scenario carries.
 *
 * Each test builds its tree in a fresh directory under /tmp and removes it at the end.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/check.h"

typedef struct tree {
    char root[64];
} tree;

static void put(const tree *t, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", t->root, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void dir(const tree *t, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", t->root, name);
    cr_assert_eq(mkdir(path, 0700), 0, "%s", path);
}

static const char scenario[] = "scenario: s\n";
static const char resource[] = "type: MeshTCPRoute\nname: r\nmesh: default\nspec: {}\n";

static void tree_make(tree *t)
{
    snprintf(t->root, sizeof t->root, "/tmp/splitsim-check-XXXXXX");
    cr_assert_not_null(mkdtemp(t->root));
    put(t, "b.yaml", scenario);
    put(t, "a.yml", scenario);
    put(t, "notes.txt", "not YAML\n");
    put(t, ".hidden.yaml", scenario);
    dir(t, "mesh");
    put(t, "mesh/routes.yaml", resource);
    put(t, "mesh/broken.yaml", "scenario: [unclosed\n");
    dir(t, "mesh/deeper");
    put(t, "mesh/deeper/c.yaml", "# a scenario below a comment\n---\nscenario: c\n");
}

static void tree_remove(tree *t)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
    cr_assert_eq(system(cmd), 0);
}

/* "<status letter> <path relative to the root>" for each entry, joined by spaces. */
static const char *summary(const tree *t, const sim_check_list *l, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t root = strlen(t->root) + 1;
    for (size_t i = 0; i < l->n; i++) {
        static const char letters[] = "PpfES"; /* PENDING, PASS, FAIL, ERROR, SKIPPED */
        const char *f = l->v[i].file;
        char one[256];
        snprintf(one, sizeof one, "%s%c %s", i ? " " : "", letters[l->v[i].status],
                 strncmp(f, t->root, root - 1) ? f : f + root);
        strncat(buf, one, size - strlen(buf) - 1);
    }
    return buf;
}

Test(check, a_folder_gives_its_scenarios_in_name_order_and_skips_resource_files)
{
    tree t;
    tree_make(&t);
    sim_check_list l = {0};
    sim_check_collect(&l, t.root, NULL);
    char buf[1024];
    /* The broken file may be a scenario: it is run, and its load says what is wrong. */
    cr_expect_str_eq(summary(&t, &l, buf, sizeof buf),
                     "P a.yml P b.yaml P mesh/broken.yaml P mesh/deeper/c.yaml S mesh/routes.yaml");
    sim_check_totals tot = sim_check_count(l.v, l.n);
    cr_expect_eq(tot.skipped, 1);
    cr_expect_eq(tot.errors, 4, "not run yet: nothing vouches for them");
    sim_check_list_free(&l);
    tree_remove(&t);
}

Test(check, a_file_named_on_the_command_line_is_always_run)
{
    tree t;
    tree_make(&t);
    char path[256];
    snprintf(path, sizeof path, "%s/mesh/routes.yaml", t.root);
    sim_check_list l = {0};
    sim_check_collect(&l, path, NULL);
    cr_assert_eq(l.n, 1);
    cr_expect_eq(l.v[0].status, SIM_CHECK_PENDING, "its load will say it is no scenario");
    sim_check_list_free(&l);
    tree_remove(&t);
}

Test(check, a_missing_path_is_an_error_entry)
{
    sim_check_list l = {0};
    sim_check_collect(&l, "/nonexistent/splitsim/x.yaml", NULL);
    cr_assert_eq(l.n, 1);
    cr_expect_eq(l.v[0].status, SIM_CHECK_ERROR);
    cr_expect_str_eq(l.v[0].error, "/nonexistent/splitsim/x.yaml: cannot read "
                                   "/nonexistent/splitsim/x.yaml: No such file or directory\n");
    sim_check_list_free(&l);
}

Test(check, a_symlink_loop_is_said_and_not_walked, .timeout = 10)
{
    tree t;
    tree_make(&t);
    char link[256];
    snprintf(link, sizeof link, "%s/mesh/deeper/up", t.root);
    cr_assert_eq(symlink("../..", link), 0);
    char *notes_text = NULL;
    size_t len = 0;
    FILE *notes = open_memstream(&notes_text, &len);
    sim_check_list l = {0};
    sim_check_collect(&l, t.root, notes);
    fclose(notes);
    cr_expect_eq(l.n, 5, "every file once");
    char want[512];
    snprintf(want, sizeof want,
             "splitsim check: skipping %s: a directory already searched (a symbolic link "
             "loop?)\n",
             link);
    cr_expect_str_eq(notes_text, want);
    free(notes_text);
    sim_check_list_free(&l);
    tree_remove(&t);
}

Test(check, totals_by_status)
{
    sim_check_entry v[] = {
        {.status = SIM_CHECK_PASS},  {.status = SIM_CHECK_PASS},  {.status = SIM_CHECK_FAIL},
        {.status = SIM_CHECK_ERROR}, {.status = SIM_CHECK_SKIPPED},
    };
    sim_check_totals t = sim_check_count(v, sizeof v / sizeof v[0]);
    cr_expect_eq(t.passed, 2);
    cr_expect_eq(t.failed, 1);
    cr_expect_eq(t.errors, 1);
    cr_expect_eq(t.skipped, 1);
}

Test(check, an_errored_scenario_carries_its_errors_not_its_warnings)
{
    model_errors *errs = model_errors_new();
    model_warn(errs, (model_mark){"a.yaml", 1, 2}, "just a warning");
    model_fail(errs, (model_mark){"a.yaml", 3, 4}, "first");
    model_fail(errs, (model_mark){"b.yaml", 0, 0}, "no place");
    char *text = sim_check_diags_text(errs);
    cr_expect_str_eq(text, "a.yaml:3:4: first\nb.yaml: no place\n");
    free(text);
    model_errors_free(errs);
}
