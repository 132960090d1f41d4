// plot.h — SVG charts for the tool: a confusion-matrix heatmap, line charts
// (training curves, explain curves) and grouped bar charts with error bars.
//
// Each function writes one self-contained SVG file (no scripts, no external fonts
// or images) through a temporary file and a rename, so a reader never sees half a
// chart; a file that cannot be written throws og::Error naming the path. Every
// chart has a title, axis labels and tick labels, and a legend when it shows
// more than one series. Text is sans-serif at 11 px or more, series colours come
// from the Okabe-Ito colour-blind-safe palette (and line series also differ by
// marker shape), and the default canvas is 720 x 440 px. User text is escaped
// for XML. Shapes carry a class ("cell", "bar", "errbar", "marker", "line") so
// a test or a style sheet can find them.
#pragma once
#include <string>
#include <vector>

namespace og::cli {

// A confusion matrix (or any R x C table of finite numbers): m[row][col], row =
// true class drawn top to bottom, col = predicted class left to right. Cells are
// coloured on a white-to-dark-blue scale from min(0, min m) to max m, shown by a
// colour bar. With normalize_rows each row is divided by its sum (rows summing to
// 0 stay 0), so cells read as "share of true class r predicted as c". Values are
// printed in the cells when show_values, the matrix is at most 30 x 30, and the
// numbers fit at 11 px or more (the canvas grows for large K so that they do);
// white text on dark cells. Tick labels 0..K-1, every k-th when crowded.
void plot_heatmap(const std::string& path, const std::string& title,
                  const std::vector<std::vector<double>>& m, const std::string& xlabel,
                  const std::string& ylabel, bool show_values = true, bool normalize_rows = false);

// One curve: points (x[i], y[i]); err, when not empty, gives a +-err[i] bar at each point.
struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> err;  // optional error bars
};

// Line chart. Points with a non-finite x, y (or err) are skipped and break the
// line there, so a gap shows missing data. Axis ranges cover every finite point
// (and error bar), the y range padded by 6%; ticks are 1, 2, 5 x 10^k (integers
// when all x are integers, as for epochs or classes). Markers are drawn when
// `markers` and a series has at most 120 points.
void plot_lines(const std::string& path, const std::string& title, const std::string& xlabel,
                const std::string& ylabel, const std::vector<Series>& series, bool markers = true);

// One category on the x axis (e.g. a loss): values[g] (and errors[g] when errors
// is not empty) for each series g in `groups`.
struct Bar {
  std::string label;
  std::vector<double> values, errors;
};

// Grouped bar chart: one cluster of bars per Bar, one bar per series in `groups`
// (e.g. metrics or seeds), with error bars value +- error (e.g. mean +- sd). Bars
// rise from 0 (down for negative values); a non-finite value draws no bar. x labels
// are rotated when they do not fit under their cluster.
void plot_bars(const std::string& path, const std::string& title, const std::string& ylabel,
               const std::vector<std::string>& groups, const std::vector<Bar>& bars);

// Text made safe for XML character data and attribute values: & < > " ' become
// entities, and control characters XML 1.0 forbids become spaces.
std::string xml_escape(const std::string& text);

// Tick values for [lo, hi]: multiples of a step 1, 2 or 5 x 10^k chosen so that
// there are about `target` of them, all inside [lo, hi]. With integer_steps the
// step is at least 1. Exposed for tests.
std::vector<double> nice_ticks(double lo, double hi, int target, bool integer_steps = false);

}  // namespace og::cli
