/* plot_draw.h — drawing pieces the plots share (plot.c, plot_state.c, plot_report.c): text,
 * framed panels with ticks, the raster and the state traces drawn into a region of a page. */
#ifndef LEINAO_IO_PLOT_DRAW_H
#define LEINAO_IO_PLOT_DRAW_H

#include <cairo.h>

#include "io.h"
#include "sonata_read.h"

typedef struct lbox {
    double x, y, w, h;
} lbox;

extern const double lplot_palette[8][3];

/* A step of 1, 2 or 5 times a power of ten giving about `n` ticks over `range`. */
double lplot_nice_step(double range, int n);
/* Text at (x, y); (ax, ay) in 0..1 say which point of its extent lies there. */
void lplot_text(cairo_t *cr, double x, double y, const char *s, double size, double ax, double ay);
/* Frame, x ticks (labelled when x_labels) and, when y_ticks, labelled y ticks of a panel
 * mapping [x0, x1] x [y0, y1]. */
void lplot_axes(cairo_t *cr, lbox b, double x0, double x1, double y0, double y1, int x_labels,
                int y_ticks);
/* A label turned a quarter to the left, centred at (x, y). */
void lplot_vertical_text(cairo_t *cr, double x, double y, const char *s, double size);

/* 1 when `name` is in the comma-separated `list` (NULL or "": every name). */
int lplot_selected(const char *list, const char *name);
/* The run's simulated span (ms) from summary.json in the folder of `data_file`, or NaN. */
double lplot_simulated_span(lctx *ctx, const char *data_file);

/* The raster of `table` with its rate histogram under it, in `region` (the title above it);
 * `span` (ms, NaN: unknown) is the simulated time when the window is not given. */
leinao_status lplot_raster(lctx *ctx, cairo_t *cr, const lspike_table *table, lbox region,
                           const leinao_plot_options *o, double span, const char *file);
/* The state traces of the frame report `report_file`, one panel per variable, in `region`. */
leinao_status lplot_state_region(lctx *ctx, cairo_t *cr, const char *report_file, lbox region,
                                 const leinao_plot_options *o);

#endif
