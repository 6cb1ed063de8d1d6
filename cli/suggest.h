/* suggest.h — the built-in model nearest to a mistyped name (cli/suggest.c). */
#ifndef LEINAO_CLI_SUGGEST_H
#define LEINAO_CLI_SUGGEST_H

/* The built-in model name closest to `typed` by edit distance (insertions, deletions,
 * substitutions, transpositions of neighbours; case ignored), or NULL when none is within a
 * third of the name's length (at least 2 edits). */
const char *cli_nearest_model(const char *typed);

#endif
