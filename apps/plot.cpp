// plot.cpp — SVG charts (see plot.h): the text of each file is built in a string
// by a small writer, then written with write_text_atomic (temp file + rename).
//
// Layout works in pixels with a fixed estimate of text width (0.6 em per
// character, generous for sans-serif digits and lower case), so margins grow to
// fit the longest tick label, legend entry or rotated category name instead of
// clipping them. Numbers in the file are printed with snprintf in the C locale
// form ("12.5"), never with a locale's decimal comma.
#include "apps/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/check.h"

namespace og::cli {
namespace {

constexpr int kWidth = 720, kHeight = 440;
constexpr double kEm = 0.6;             // estimated average glyph width, in ems
constexpr double kDigitEm = 0.64;       // digits are wider (0.64 em in DejaVu Sans, the usual fallback)
constexpr double kTitleFont = 16, kLabelFont = 13, kTickFont = 12, kMinFont = 11;
constexpr double kTop = 48;             // room for the title
constexpr const char* kAxisColour = "#333333";
constexpr const char* kGridColour = "#e6e6e6";
// Okabe-Ito, reordered so the first series get the colours that read best as thin
// lines on white; yellow (weak on white) comes last.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};
constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

const char* colour(size_t i) { return kPalette[i % kPaletteSize]; }

// Number of code points in UTF-8 text (continuation bytes are 10xxxxxx).
size_t glyphs(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

double text_width(const std::string& s, double font) { return glyphs(s) * kEm * font; }

// At most `max_glyphs` code points, with an ellipsis when cut (never inside a code point).
std::string shorten(const std::string& s, size_t max_glyphs) {
  if (glyphs(s) <= max_glyphs) return s;
  size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == max_glyphs - 1) break;
      ++n;
    }
  }
  return s.substr(0, i) + "\xE2\x80\xA6";
}

// An axis label that fits `room` px: 13 px if it fits, else smaller down to 11 px, else cut short.
struct Fitted { std::string text; double font; };
Fitted fit(const std::string& t, double room) {
  const double font = std::max(kMinFont, std::min(kLabelFont, room / (kEm * std::max<size_t>(1, glyphs(t)))));
  return {shorten(t, std::max<size_t>(2, static_cast<size_t>(room / (kEm * font)))), font};
}

// A coordinate: two decimals at most, trailing zeros dropped ("12.5", "300").
std::string px(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  std::string s = b;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

// Decimals that show a multiple of `step` exactly (step = 1, 2 or 5 x 10^k).
int decimals_for(double step) {
  if (!(step > 0) || step >= 1) return 0;
  return std::min(10, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
}

std::string fixed(double v, int decimals) {
  char b[64];
  if (std::fabs(v) >= 1e9)
    std::snprintf(b, sizeof b, "%.3g", v);
  else
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
  std::string s = b;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // no "-0"
  return s;
}

// The SVG text under construction; every method appends one element.
class Svg {
 public:
  Svg(double w, double h, const std::string& title) {
    s_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(w) + "\" height=\"" + px(h) +
          "\" viewBox=\"0 0 " + px(w) + " " + px(h) + "\" font-family=\"sans-serif\">\n";
    s_ += "<title>" + xml_escape(title) + "</title>\n";
    // An opaque background, so the chart stays readable in dark-themed viewers.
    rect(0, 0, w, h, "#ffffff");
    // Long titles shrink (down to 12 px) rather than run off the canvas.
    const double font = std::max(12.0, std::min(kTitleFont, (w - 24) / (kEm * std::max<size_t>(1, glyphs(title)))));
    text(w / 2, 28, title, font, "middle", "font-weight=\"bold\"");
  }
  void raw(const std::string& s) { s_ += s; }
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra = "") {
    s_ += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(std::max(0.0, w)) + "\" height=\"" +
          px(std::max(0.0, h)) + "\" fill=\"" + fill + "\"" + (extra.empty() ? "" : " " + extra) + "/>\n";
  }
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
            const std::string& extra = "") {
    s_ += "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) +
          "\" stroke=\"" + stroke + "\" stroke-width=\"" + px(width) + "\"" + (extra.empty() ? "" : " " + extra) +
          "/>\n";
  }
  // anchor: start | middle | end; extra: further attributes (already escaped).
  void text(double x, double y, const std::string& t, double font, const char* anchor,
            const std::string& extra = "", const char* fill = "#222222") {
    s_ += "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" font-size=\"" + px(font) + "\" text-anchor=\"" + anchor +
          "\" fill=\"" + fill + "\"" + (extra.empty() ? "" : " " + extra) + ">" + xml_escape(t) + "</text>\n";
  }
  std::string finish() { return s_ + "</svg>\n"; }

 private:
  std::string s_;
};

// Marker number `shape` (cycled) centred at (x, y) with radius r.
std::string marker(size_t shape, double x, double y, double r, const char* fill) {
  const std::string style = std::string(" fill=\"") + fill + "\" stroke=\"#ffffff\" stroke-width=\"1\" class=\"marker\"/>\n";
  auto poly = [&](std::initializer_list<std::pair<double, double>> pts) {
    std::string p = "<polygon points=\"";
    for (const auto& [dx, dy] : pts) p += px(x + dx * r) + "," + px(y + dy * r) + " ";
    p.pop_back();
    return p + "\"" + style;
  };
  switch (shape % 5) {
    case 0: return "<circle cx=\"" + px(x) + "\" cy=\"" + px(y) + "\" r=\"" + px(r) + "\"" + style;
    case 1: return poly({{-0.9, -0.9}, {0.9, -0.9}, {0.9, 0.9}, {-0.9, 0.9}});           // square
    case 2: return poly({{0, -1.2}, {1.1, 0.8}, {-1.1, 0.8}});                           // triangle up
    case 3: return poly({{0, -1.25}, {1.25, 0}, {0, 1.25}, {-1.25, 0}});                 // diamond
    default: return poly({{0, 1.2}, {1.1, -0.8}, {-1.1, -0.8}});                         // triangle down
  }
}

// The plot rectangle and its data ranges; maps data to pixels.
struct Frame {
  double left, top, width, height;
  double x_lo, x_hi, y_lo, y_hi;
  double X(double v) const { return left + (v - x_lo) / (x_hi - x_lo) * width; }
  double Y(double v) const { return top + height - (v - y_lo) / (y_hi - y_lo) * height; }
  double bottom() const { return top + height; }
  double right() const { return left + width; }
};

// A range that is never empty: a single value v becomes v +- max(|v| / 10, 1) / 2.
void widen(double& lo, double& hi) {
  if (!(lo <= hi)) lo = 0, hi = 1;
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
    const double half = std::max(std::fabs(lo) * 0.1, 1.0) / 2;
    lo -= half, hi += half;
  }
}

std::vector<std::string> tick_labels(const std::vector<double>& ticks) {
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  std::vector<std::string> labels;
  for (double t : ticks) labels.push_back(fixed(t, decimals_for(step)));
  return labels;
}

double widest(const std::vector<std::string>& labels, double font) {
  double w = 0;
  for (const auto& l : labels) w = std::max(w, text_width(l, font));
  return w;
}

// Horizontal grid lines, tick marks and labels of the y axis, and the y axis label.
void y_axis(Svg& svg, const Frame& f, const std::vector<double>& ticks, const std::string& ylabel) {
  const auto labels = tick_labels(ticks);
  for (size_t i = 0; i < ticks.size(); ++i) {
    const double y = f.Y(ticks[i]);
    svg.line(f.left, y, f.right(), y, kGridColour, 1);
    svg.line(f.left - 5, y, f.left, y, kAxisColour, 1);
    svg.text(f.left - 8, y + kTickFont * 0.35, labels[i], kTickFont, "end");
  }
  const double x = f.left - 8 - widest(labels, kTickFont) - 12;
  const double y = f.top + f.height / 2;
  const Fitted label = fit(ylabel, f.height + 40);
  svg.text(x, y, label.text, label.font, "middle", "transform=\"rotate(-90 " + px(x) + " " + px(y) + ")\"");
}

// Left margin that fits the y tick labels and the rotated y label.
double left_margin(const std::vector<double>& yticks) {
  return std::max(56.0, 8 + widest(tick_labels(yticks), kTickFont) + 12 + kLabelFont + 10);
}

// Legend box at (x, y): a swatch drawn by `swatch(i, x, y)` then the name, per entry.
template <class Swatch>
void legend(Svg& svg, double x, double y, double w, const std::vector<std::string>& names, Swatch swatch) {
  const double row = 20;
  svg.rect(x, y, w, names.size() * row + 10, "#ffffff", "stroke=\"#cccccc\" stroke-width=\"1\" class=\"legend\"");
  for (size_t i = 0; i < names.size(); ++i) {
    const double cy = y + 5 + row * i + row / 2;
    swatch(i, x + 8, cy);
    svg.text(x + 38, cy + kTickFont * 0.35, names[i], kTickFont, "start");
  }
}

double legend_width(const std::vector<std::string>& names) { return 38 + widest(names, kTickFont) + 10; }

bool finite(double v) { return std::isfinite(v); }

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ? ' ' : c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target, bool integer_steps) {
  if (!finite(lo) || !finite(hi) || !(hi > lo)) return finite(lo) ? std::vector<double>{lo} : std::vector<double>{};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  double step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  if (integer_steps && step < 1) step = 1;
  // Multiples k * step (not a running sum, which drifts), snapped so 0 prints as 0.
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  std::vector<double> ticks;
  for (double k = first; k <= last && ticks.size() < 1000; ++k) {
    const double t = k * step;
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

void plot_heatmap(const std::string& path, const std::string& title, const std::vector<std::vector<double>>& m,
                  const std::string& xlabel, const std::string& ylabel, bool show_values, bool normalize_rows) {
  OG_CHECK(!m.empty() && !m[0].empty(), "plot_heatmap: ", path, ": the matrix is empty");
  const size_t R = m.size(), C = m[0].size(), K = std::max(R, C);
  std::vector<std::vector<double>> v = m;
  for (size_t r = 0; r < R; ++r) {
    OG_CHECK(m[r].size() == C, "plot_heatmap: ", path, ": row ", r, " has ", m[r].size(), " values, row 0 has ", C);
    for (size_t c = 0; c < C; ++c) OG_CHECK(finite(m[r][c]), "plot_heatmap: ", path, ": m[", r, "][", c, "] is ", m[r][c]);
    if (normalize_rows) {
      double sum = 0;
      for (double x : m[r]) sum += x;
      if (sum != 0)
        for (double& x : v[r]) x /= sum;
    }
  }
  double lo = 0, hi = 0;
  bool integers = !normalize_rows;
  for (const auto& row : v)
    for (double x : row) lo = std::min(lo, x), hi = std::max(hi, x), integers = integers && x == std::round(x);
  if (normalize_rows) hi = std::max(hi, 1.0);  // a share's scale runs to 1, so colours compare across charts
  widen(lo, hi);

  // Cell text: integers as such, shares with 2 decimals, others with 3 significant digits.
  double max_abs = std::max(std::fabs(lo), std::fabs(hi));
  const int decimals = integers ? 0 : normalize_rows ? 2 : std::clamp(2 - static_cast<int>(std::floor(std::log10(max_abs))), 0, 3);
  size_t chars = 1;
  for (const auto& row : v)
    for (double x : row) chars = std::max(chars, fixed(x, decimals).size());

  // Cells share 330 px, but grow so that the widest number fits at 11 px.
  const bool values = show_values && K <= 30;
  double cell = 330.0 / K;
  if (values) cell = std::max({cell, 22.0, chars * kDigitEm * kMinFont + 8});
  const double value_font = std::min({15.0, (cell - 8) / (kDigitEm * chars), cell * 0.5});

  // Every k-th tick label (k = 1, 2, 5, 10, ...) so that labels do not touch.
  auto tick_every = [&](double need) {
    for (size_t k : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000})
      if (cell * k >= need) return k;
    return size_t(10000);
  };
  const std::string widest_index = std::to_string(K - 1);
  const size_t x_every = tick_every(text_width(widest_index, kTickFont) + 8);
  const size_t y_every = tick_every(kTickFont + 3);

  // Colour scale: white through light to dark blue (sequential, readable for colour-blind eyes).
  struct Stop { double t, r, g, b; };
  static const Stop ramp[] = {{0, 247, 251, 255}, {0.35, 160, 200, 225}, {0.7, 50, 130, 190}, {1, 8, 48, 107}};
  auto rgb = [&](double x, double out[3]) {
    const double t = std::clamp((x - lo) / (hi - lo), 0.0, 1.0);
    size_t i = 0;
    while (i + 2 < std::size(ramp) && t > ramp[i + 1].t) ++i;
    const double u = (t - ramp[i].t) / (ramp[i + 1].t - ramp[i].t);
    out[0] = ramp[i].r + u * (ramp[i + 1].r - ramp[i].r);
    out[1] = ramp[i].g + u * (ramp[i + 1].g - ramp[i].g);
    out[2] = ramp[i].b + u * (ramp[i + 1].b - ramp[i].b);
  };
  auto hex = [](const double c[3]) {
    char b[8];
    std::snprintf(b, sizeof b, "#%02x%02x%02x", int(std::lround(c[0])), int(std::lround(c[1])), int(std::lround(c[2])));
    return std::string(b);
  };

  const std::vector<double> bar_ticks = nice_ticks(lo, hi, 5);
  const auto bar_labels = tick_labels(bar_ticks);
  const std::string bar_title = normalize_rows ? "share of row" : integers ? "count" : "value";
  const double row_label_w = text_width(std::to_string(R - 1), kTickFont);
  const double left = 10 + kLabelFont + 12 + row_label_w + 8;
  const double grid_w = C * cell, grid_h = R * cell;
  const double bar_gap = 24, bar_w = 16;
  const double right = bar_gap + bar_w + 8 + std::max(widest(bar_labels, kTickFont), text_width(bar_title, kMinFont) - bar_w - 8) + 16;
  const double bottom = 18 + kTickFont + 14 + kLabelFont + 8;
  const double W = std::max<double>(kWidth, left + grid_w + right), H = std::max<double>(kHeight, kTop + 16 + grid_h + bottom);
  // Centre the matrix and its colour bar on the canvas.
  const double x0 = left + (W - (left + grid_w + right)) / 2, y0 = kTop + 16 + (H - (kTop + 16 + grid_h + bottom)) / 2;

  Svg svg(W, H, title);
  const bool borders = cell >= 10;  // thin white gaps; on tiny cells they would become a pattern
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c) {
      double col[3];
      rgb(v[r][c], col);
      svg.rect(x0 + c * cell, y0 + r * cell, cell, cell, hex(col),
               std::string(borders ? "stroke=\"#ffffff\" stroke-width=\"1\" " : "") + "class=\"cell\"");
      if (values) {
        // White text on dark cells, dark text on light ones (by luma); zeros faint, so
        // the cells that hold something stand out.
        const bool dark = (0.299 * col[0] + 0.587 * col[1] + 0.114 * col[2]) / 255 < 0.55;
        svg.text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell + value_font * 0.35, fixed(v[r][c], decimals), value_font,
                 "middle", "class=\"value\"", dark ? "#ffffff" : v[r][c] == 0 ? "#a6a6a6" : "#222222");
      }
    }
  svg.rect(x0, y0, grid_w, grid_h, "none", "stroke=\"#999999\" stroke-width=\"1\"");
  for (size_t c = 0; c < C; c += x_every) {
    const double x = x0 + (c + 0.5) * cell;
    svg.line(x, y0 + grid_h, x, y0 + grid_h + 4, kAxisColour, 1);
    svg.text(x, y0 + grid_h + 18, std::to_string(c), kTickFont, "middle");
  }
  for (size_t r = 0; r < R; r += y_every) {
    const double y = y0 + (r + 0.5) * cell;
    svg.line(x0 - 4, y, x0, y, kAxisColour, 1);
    svg.text(x0 - 7, y + kTickFont * 0.35, std::to_string(r), kTickFont, "end");
  }
  const Fitted xl = fit(xlabel, grid_w + 2 * left), yl = fit(ylabel, grid_h + 2 * kTop);
  svg.text(x0 + grid_w / 2, y0 + grid_h + 18 + kTickFont + 14, xl.text, xl.font, "middle");
  const double ylx = x0 - 7 - row_label_w - 12, yly = y0 + grid_h / 2;
  svg.text(ylx, yly, yl.text, yl.font, "middle", "transform=\"rotate(-90 " + px(ylx) + " " + px(yly) + ")\"");

  // Colour bar: the same ramp as a gradient, bottom = low, with ticks at nice values.
  std::string grad = "<defs><linearGradient id=\"og-ramp\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
  for (const Stop& s : ramp) {
    const double c[3] = {s.r, s.g, s.b};
    grad += "<stop offset=\"" + px(s.t) + "\" stop-color=\"" + hex(c) + "\"/>";
  }
  svg.raw(grad + "</linearGradient></defs>\n");
  const double bx = x0 + grid_w + bar_gap;
  svg.rect(bx, y0, bar_w, grid_h, "url(#og-ramp)", "stroke=\"#999999\" stroke-width=\"1\" class=\"colorbar\"");
  svg.text(bx, y0 - 6, bar_title, kMinFont, "start");
  for (size_t i = 0; i < bar_ticks.size(); ++i) {
    const double y = y0 + grid_h - (bar_ticks[i] - lo) / (hi - lo) * grid_h;
    svg.line(bx + bar_w, y, bx + bar_w + 4, y, kAxisColour, 1);
    svg.text(bx + bar_w + 7, y + kTickFont * 0.35, bar_labels[i], kTickFont, "start");
  }
  write_text_atomic(path, svg.finish());
}

void plot_lines(const std::string& path, const std::string& title, const std::string& xlabel,
                const std::string& ylabel, const std::vector<Series>& series, bool markers) {
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  bool integer_x = true;
  auto usable = [](const Series& s, size_t i) {
    return finite(s.x[i]) && finite(s.y[i]) && (s.err.empty() || finite(s.err[i]));
  };
  for (const Series& s : series) {
    OG_CHECK(s.x.size() == s.y.size(), "plot_lines: ", path, ": series '", s.name, "' has ", s.x.size(), " x and ",
             s.y.size(), " y values");
    OG_CHECK(s.err.empty() || s.err.size() == s.y.size(), "plot_lines: ", path, ": series '", s.name, "' has ",
             s.err.size(), " error bars for ", s.y.size(), " points");
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!usable(s, i)) continue;
      const double e = s.err.empty() ? 0 : std::fabs(s.err[i]);
      x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i] - e), y_hi = std::max(y_hi, s.y[i] + e);
      integer_x = integer_x && s.x[i] == std::round(s.x[i]);
    }
  }
  if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;  // nothing finite: an empty frame
  widen(x_lo, x_hi);
  widen(y_lo, y_hi);
  const double y_pad = 0.06 * (y_hi - y_lo), x_pad = 0.03 * (x_hi - x_lo);
  Frame f{0, kTop, 0, 0, x_lo - x_pad, x_hi + x_pad, y_lo - y_pad, y_hi + y_pad};

  std::vector<std::string> names;
  for (const Series& s : series) names.push_back(shorten(s.name, 24));
  const bool with_legend = series.size() > 1;
  const double legend_w = with_legend ? legend_width(names) : 0;
  const double bottom = 18 + kTickFont + 14 + kLabelFont + 6;
  f.height = kHeight - kTop - bottom;
  const std::vector<double> yticks = nice_ticks(f.y_lo, f.y_hi, std::max(2, int(f.height / 50)));
  f.left = left_margin(yticks);
  f.width = kWidth - f.left - 20 - (with_legend ? legend_w + 12 : 0);
  // Fewer x ticks until their labels have room between them.
  std::vector<double> xticks;
  for (int target = std::max(2, int(f.width / 55)); target >= 1; --target) {
    xticks = nice_ticks(f.x_lo, f.x_hi, target, integer_x);
    const double spacing = xticks.size() > 1 ? (xticks[1] - xticks[0]) / (f.x_hi - f.x_lo) * f.width : f.width;
    if (spacing >= widest(tick_labels(xticks), kTickFont) + 12) break;
  }

  Svg svg(kWidth, kHeight, title);
  y_axis(svg, f, yticks, ylabel);
  const auto xlabels = tick_labels(xticks);
  for (size_t i = 0; i < xticks.size(); ++i) {
    const double x = f.X(xticks[i]);
    svg.line(x, f.bottom(), x, f.bottom() + 5, kAxisColour, 1);
    svg.text(x, f.bottom() + 18, xlabels[i], kTickFont, "middle");
  }
  const Fitted xl = fit(xlabel, kWidth - 16);
  svg.text(std::clamp(f.left + f.width / 2, 8 + kEm * xl.font * glyphs(xl.text) / 2, kWidth - 8 - kEm * xl.font * glyphs(xl.text) / 2),
           f.bottom() + 18 + kTickFont + 14, xl.text, xl.font, "middle");
  svg.line(f.left, f.bottom(), f.right(), f.bottom(), kAxisColour, 1);
  svg.line(f.left, f.top, f.left, f.bottom(), kAxisColour, 1);

  for (size_t si = 0; si < series.size(); ++si) {
    const Series& s = series[si];
    const char* c = colour(si);
    // Error bars first, so the line and markers sit on top of them.
    if (!s.err.empty())
      for (size_t i = 0; i < s.x.size(); ++i) {
        if (!usable(s, i) || s.err[i] == 0) continue;
        const double x = f.X(s.x[i]), e = std::fabs(s.err[i]);
        const double y1 = f.Y(s.y[i] - e), y2 = f.Y(s.y[i] + e);
        svg.raw("<path d=\"M" + px(x) + " " + px(y1) + "V" + px(y2) + "M" + px(x - 4) + " " + px(y1) + "H" +
                px(x + 4) + "M" + px(x - 4) + " " + px(y2) + "H" + px(x + 4) + "\" stroke=\"" + c +
                "\" stroke-width=\"1.5\" fill=\"none\" class=\"errbar\"/>\n");
      }
    // One path; a skipped point starts a new subpath (a gap in the line).
    std::string d, dots;
    bool pen_down = false;
    const bool draw_markers = markers && s.x.size() <= 120;
    const double r = s.x.size() > 40 ? 3 : 4;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!usable(s, i)) {
        pen_down = false;
        continue;
      }
      const double x = f.X(s.x[i]), y = f.Y(s.y[i]);
      d += (pen_down ? "L" : "M") + px(x) + " " + px(y);
      pen_down = true;
      // A point with no neighbour on either side would be invisible without a marker.
      const bool alone = (i == 0 || !usable(s, i - 1)) && (i + 1 == s.x.size() || !usable(s, i + 1));
      if (draw_markers || alone) dots += marker(si, x, y, r, c);
    }
    if (!d.empty())
      svg.raw("<path d=\"" + d + "\" stroke=\"" + c + "\" stroke-width=\"2\" fill=\"none\" stroke-linejoin=\"round\" class=\"line\"/>\n");
    svg.raw(dots);
  }
  if (with_legend)
    legend(svg, f.right() + 12, f.top, legend_w, names, [&](size_t i, double x, double y) {
      svg.line(x, y, x + 22, y, colour(i), 2);
      if (markers) svg.raw(marker(i, x + 11, y, 4, colour(i)));
    });
  write_text_atomic(path, svg.finish());
}

void plot_bars(const std::string& path, const std::string& title, const std::string& ylabel,
               const std::vector<std::string>& groups, const std::vector<Bar>& bars) {
  OG_CHECK(!groups.empty(), "plot_bars: ", path, ": no series names");
  OG_CHECK(!bars.empty(), "plot_bars: ", path, ": no bars");
  const size_t G = groups.size(), B = bars.size();
  double lo = 0, hi = 0;
  for (const Bar& b : bars) {
    OG_CHECK(b.values.size() == G, "plot_bars: ", path, ": bar '", b.label, "' has ", b.values.size(), " values for ",
             G, " series");
    OG_CHECK(b.errors.empty() || b.errors.size() == G, "plot_bars: ", path, ": bar '", b.label, "' has ",
             b.errors.size(), " errors for ", G, " series");
    for (size_t g = 0; g < G; ++g) {
      if (!finite(b.values[g])) continue;
      const double e = b.errors.empty() || !finite(b.errors[g]) ? 0 : std::fabs(b.errors[g]);
      lo = std::min(lo, b.values[g] - e), hi = std::max(hi, b.values[g] + e);
    }
  }
  widen(lo, hi);
  const double pad = 0.06 * (hi - lo);
  Frame f{0, kTop, 0, 0, 0, 1, lo < 0 ? lo - pad : lo, hi > 0 ? hi + pad : hi};

  std::vector<std::string> names, labels;
  for (const auto& g : groups) names.push_back(shorten(g, 24));
  for (const Bar& b : bars) labels.push_back(shorten(b.label, 28));
  const bool with_legend = G > 1;
  const double legend_w = with_legend ? legend_width(names) : 0;
  // Width first (it decides whether the category labels must be rotated), then height.
  const std::vector<double> rough_ticks = nice_ticks(f.y_lo, f.y_hi, 6);
  f.left = left_margin(rough_ticks);
  f.width = kWidth - f.left - 20 - (with_legend ? legend_w + 12 : 0);
  const double cluster = f.width / B;
  const double label_w = widest(labels, kTickFont);
  // Rotate by 35 degrees when labels do not fit side by side, by 90 when even that crowds them.
  const double angle = label_w + 8 <= cluster ? 0 : cluster >= 2 * kTickFont ? 35 : 90;
  const double rad = angle * 3.14159265358979 / 180;
  const double label_h = angle == 0 ? kTickFont : label_w * std::sin(rad) + kTickFont * std::cos(rad);
  const double bottom = 14 + label_h + 12;
  const double H = std::max<double>(kHeight, kTop + 280 + bottom);  // the plot keeps >= 280 px of height
  f.height = H - kTop - bottom;
  // A rotated first label reaches left of its cluster; widen the left margin if it would leave the canvas.
  if (angle > 0) {
    const double reach = text_width(labels[0], kTickFont) * std::cos(rad) - cluster / 2 + 8;
    if (reach > f.left) {
      f.width -= reach - f.left;
      f.left = reach;
    }
  }
  const double slot = f.width / B;
  const double bar_w = std::min(56.0, slot * 0.8 / G);
  const std::vector<double> yticks = nice_ticks(f.y_lo, f.y_hi, std::max(2, int(f.height / 50)));

  Svg svg(kWidth, H, title);
  y_axis(svg, f, yticks, ylabel);
  for (size_t b = 0; b < B; ++b) {
    const double cx = f.left + (b + 0.5) * slot;
    for (size_t g = 0; g < G; ++g) {
      const double v = bars[b].values[g];
      if (!finite(v)) continue;
      const double x = cx - G * bar_w / 2 + g * bar_w;
      const double y_top = f.Y(std::max(v, 0.0)), y_bottom = f.Y(std::min(v, 0.0));
      svg.rect(x + 1, y_top, bar_w - 2, y_bottom - y_top, colour(g), "class=\"bar\"");
      if (bars[b].errors.empty() || !finite(bars[b].errors[g]) || bars[b].errors[g] == 0) continue;
      const double e = std::fabs(bars[b].errors[g]), mx = x + bar_w / 2, cap = std::min(5.0, bar_w / 3);
      const double y1 = f.Y(v - e), y2 = f.Y(v + e);
      svg.raw("<path d=\"M" + px(mx) + " " + px(y1) + "V" + px(y2) + "M" + px(mx - cap) + " " + px(y1) + "H" +
              px(mx + cap) + "M" + px(mx - cap) + " " + px(y2) + "H" + px(mx + cap) +
              "\" stroke=\"#222222\" stroke-width=\"1.5\" fill=\"none\" class=\"errbar\"/>\n");
    }
    const double ly = f.bottom() + 14;
    if (angle == 0) {
      svg.text(cx, ly + kTickFont * 0.35, labels[b], kTickFont, "middle");
    } else {
      // Rotated about its end, which sits under the cluster centre.
      const double ty = ly + (angle == 90 ? 0 : kTickFont * 0.35);
      svg.text(cx + (angle == 90 ? kTickFont * 0.35 : 0), ty, labels[b], kTickFont, "end",
               "transform=\"rotate(-" + px(angle) + " " + px(cx + (angle == 90 ? kTickFont * 0.35 : 0)) + " " + px(ty) + ")\"");
    }
  }
  // The zero line (bars rise from it) and the y axis.
  svg.line(f.left, f.Y(0), f.right(), f.Y(0), kAxisColour, 1);
  svg.line(f.left, f.top, f.left, f.bottom(), kAxisColour, 1);
  if (with_legend)
    legend(svg, f.right() + 12, f.top, legend_w, names,
           [&](size_t i, double x, double y) { svg.rect(x, y - 6, 22, 12, colour(i)); });
  write_text_atomic(path, svg.finish());
}

}  // namespace og::cli
