/* io.h — what the io layer's files share: the spike and state file writers. */
#ifndef LEINAO_IO_IO_H
#define LEINAO_IO_IO_H

#include <stdio.h>

#include "../engine/sim.h"

extern const lsink_ops lsink_sonata_ops;
extern const lsink_ops lsink_csv_ops;
extern const lstate_ops lstate_sonata_ops;
extern const lstate_ops lstate_csv_ops;

/* Decimals that write every multiple of `dt` (ms) exactly as the grid has it (dt = 0.1: 1,
 * "29.8"; dt = 0.025: 3), or -1 when dt has no short decimal form (then times are written
 * with 17 significant digits). */
int lcsv_time_decimals(double dt);
/* Writes time t (ms) as a CSV field with `decimals` (see lcsv_time_decimals). */
int lcsv_write_time(FILE *f, double t, int decimals);

/* A picture being drawn: PNG, SVG or PDF by the path's extension, white, sans-serif. */
typedef struct lcanvas {
    struct _cairo_surface *surface;
    struct _cairo *cr;
    int png;
    const char *path;
} lcanvas;

leinao_status lcanvas_open(lctx *ctx, lcanvas *c, const char *path, int width, int height);
/* Finishes the picture (writes the PNG) and frees the canvas. */
leinao_status lcanvas_close(lctx *ctx, lcanvas *c);

/* Draws the state traces of a frame report (in the plot's child process, see plot.c). */
leinao_status lplot_state(lctx *ctx, const char *report_file, const char *out_path,
                          const leinao_plot_options *o);
/* Draws the one-page report of the run in folder `dir` (plot_report.c). */
leinao_status lplot_report(lctx *ctx, const char *dir, const char *out_path,
                           const leinao_plot_options *o);

#endif
