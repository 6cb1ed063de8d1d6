/* progress.h — a phase's progress (checkpoint writing, plotting): on a terminal a live line on
 * stderr while it lasts, otherwise a line on stdout when it ends; nothing with --quiet (both
 * flags 0). cli/progress.c. */
#ifndef LEINAO_CLI_PROGRESS_H
#define LEINAO_CLI_PROGRESS_H

/* Wall seconds from a fixed point (monotonic). */
double cli_now(void);
/* live: "\r  WHAT ..." on stderr, left in place until cli_phase_done. */
void cli_phase_begin(int live, const char *what);
/* live: clears the line; lines: "  WHAT (S s)" on stdout. */
void cli_phase_done(int live, int lines, const char *what, double started);

#endif
