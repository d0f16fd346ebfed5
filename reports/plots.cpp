#include "reports/plots.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "claims/params.hpp"
#include "reports/results.hpp"

extern char** environ;

namespace attnbound::reports {

namespace fs = std::filesystem;
using nlohmann::json;

int plot_set::drawn() const {
  int n = 0;
  for (const auto& c : claims)
    for (const auto& f : c) n += f.st == rendered_figure::state::drawn;
  return n;
}

namespace {

std::string safe_name(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                    ch == '.' || ch == '_' || ch == '-';
    out += ok ? ch : '_';
  }
  return out.empty() ? "_" : out;
}

/// A gnuplot single-quoted string: '' stands for ', no escapes; control characters dropped.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') out += "''";
    else if (ch == '\n' || ch == '\r' || ch == '\t') out += ' ';
    else if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
  }
  return out + "'";
}

/// A gnuplot double-quoted string (newlines kept as \n line breaks).
std::string dquote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '\\' || ch == '"') out += '\\', out += ch;
    else if (ch == '\n') out += "\\n";
    else if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
  }
  return out + "\"";
}

/// Shortest decimal that reads back as the same double.
std::string num(double v) { return fmt::format("{}", v); }

bool finite_at(const json& arr, std::size_t i, double& out) {
  if (!arr.is_array() || i >= arr.size() || !arr[i].is_number()) return false;
  out = arr[i].get<double>();
  return std::isfinite(out);
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

struct row {
  double x, y, lo, hi;
};

struct curve {
  std::string label;
  bool points = true;    // points (medians with CI) or line
  bool dashed = false;   // a bound curve
  std::vector<row> ci;   // points with a finite CI (band and error bars)
  std::vector<row> bare; // points without a CI, or the line's points
};

const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                               "#9467bd", "#8c564b", "#e377c2", "#17becf"};
const int point_types[] = {7, 5, 9, 13, 11, 15};

struct range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  bool empty() const { return !(lo <= hi); }
};

/// Axis range padded by 5% of its span (in log space on a log axis).
std::pair<double, double> padded(const range& r, bool log) {
  if (log) {
    double a = std::log10(r.lo), b = std::log10(r.hi);
    const double pad = b > a ? 0.05 * (b - a) : 0.3;
    return {std::pow(10.0, a - pad), std::pow(10.0, b + pad)};
  }
  double a = r.lo, b = r.hi;
  double pad = 0.05 * (b - a);
  if (!(pad > 0)) pad = a != 0 ? 0.1 * std::abs(a) : 1.0;
  return {a - pad, b + pad};
}

/// Tic marks of a log axis spanning less than three decades: 1-2-5 (or 1..9) per decade;
/// gnuplot's own decade tics otherwise.
std::string log_tics(double lo, double hi) {
  if (std::log10(hi / lo) >= 3) return "";
  for (const std::vector<int>& mant : {std::vector<int>{1, 2, 5}, std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    std::vector<double> t;
    for (int e = static_cast<int>(std::floor(std::log10(lo))); e <= static_cast<int>(std::ceil(std::log10(hi))); ++e)
      for (int m : mant) {
        const double v = m * std::pow(10.0, e);
        if (v >= lo && v <= hi) t.push_back(v);
      }
    if (t.size() >= 3 || mant.size() == 9) {
      std::string s;
      for (double v : t) s += (s.empty() ? "" : ", ") + fmt::format("{:g}", v);
      return "(" + s + ")";
    }
  }
  return "";
}

}  // namespace

std::string figure_stem(const std::string& claim_id, const std::string& figure_id) {
  return safe_name(claim_id) + "--" + safe_name(figure_id);
}

std::string gnuplot_script(const json& fig, const std::string& stem, int* omitted_out, int* height_out) {
  const bool logx = fig.value("logx", false), logy = fig.value("logy", false);
  int omitted = 0;
  std::vector<curve> curves;
  range xr, yr;
  const json no_series = json::array();
  const json& series = fig.contains("series") && fig.at("series").is_array() ? fig.at("series") : no_series;
  for (const auto& s : series) {
    if (!s.is_object()) continue;
    curve c;
    c.label = s.value("label", "");
    c.points = s.value("style", "points") != "line";
    c.dashed = !c.points && (s.value("role", "") == "bound" || lower(c.label).find("bound") != std::string::npos);
    const json& xs = s.contains("x") ? s.at("x") : no_series;
    const json& ys = s.contains("y") ? s.at("y") : no_series;
    const json& los = s.contains("lo") ? s.at("lo") : no_series;
    const json& his = s.contains("hi") ? s.at("hi") : no_series;
    const std::size_t n = std::max(xs.is_array() ? xs.size() : 0, ys.is_array() ? ys.size() : 0);
    for (std::size_t i = 0; i < n; ++i) {
      row r{};
      if (!finite_at(xs, i, r.x) || !finite_at(ys, i, r.y) || (logx && r.x <= 0) || (logy && r.y <= 0)) {
        ++omitted;
        continue;
      }
      xr.add(r.x), yr.add(r.y);
      const bool has_ci = c.points && finite_at(los, i, r.lo) && finite_at(his, i, r.hi) && !(logy && r.hi <= 0);
      if (has_ci) {
        if (!logy || r.lo > 0) yr.add(r.lo);
        yr.add(r.hi);
        c.ci.push_back(r);
      } else {
        c.bare.push_back(r);
      }
    }
    auto by_x = [](const row& a, const row& b) { return a.x < b.x; };
    std::stable_sort(c.ci.begin(), c.ci.end(), by_x);
    if (c.points) std::stable_sort(c.bare.begin(), c.bare.end(), by_x);
    if (!c.ci.empty() || !c.bare.empty()) curves.push_back(std::move(c));
  }
  if (omitted_out) *omitted_out = omitted;
  if (curves.empty()) return "";

  // Colours: measured series from the palette; a fitted line ("fit" in its label) takes the
  // colour of the measured series of the same rank when there are as many of each; bounds
  // are dashed in dark tones; other lines continue the palette.
  std::vector<std::string> colors(curves.size()), titles(curves.size());
  int n_pts = 0, n_fit = 0;
  auto is_fit = [](const curve& c) { return !c.points && !c.dashed && lower(c.label).find("fit") != std::string::npos; };
  for (const auto& c : curves) n_pts += c.points, n_fit += is_fit(c);
  const char* const bound_palette[] = {"#333333", "#9467bd", "#8c564b"};
  int i_pts = 0, i_fit = 0, i_bound = 0, i_other = n_pts;
  for (std::size_t k = 0; k < curves.size(); ++k) {
    const auto& c = curves[k];
    if (c.points) colors[k] = palette[i_pts++ % std::size(palette)];
    else if (c.dashed) colors[k] = bound_palette[i_bound++ % std::size(bound_palette)];
    else if (is_fit(c) && n_fit == n_pts) colors[k] = palette[i_fit++ % std::size(palette)];
    else colors[k] = palette[i_other++ % std::size(palette)];
    titles[k] = c.label;
  }
  // The key sits below the plot: grow the canvas by its rows so the plot keeps its size.
  std::size_t widest = 1;
  for (const auto& t : titles) widest = std::max(widest, t.size());
  const std::size_t columns = std::max<std::size_t>(1, 900 / (widest * 8 + 90));
  const int key_rows = static_cast<int>((curves.size() + columns - 1) / columns);
  const int height = 520 + 22 * key_rows;
  if (height_out) *height_out = height;

  const auto [x0, x1] = padded(xr, logx);
  const auto [y0, y1] = padded(yr, logy);
  // A y label longer than the plot is high (about 50 characters) goes on two lines.
  std::string ylabel = quote(fig.value("ylabel", ""));
  if (const std::string text = fig.value("ylabel", ""); text.size() > 50) {
    std::size_t cut = std::string::npos;
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == ' ' && (cut == std::string::npos || std::abs(static_cast<long>(i) - static_cast<long>(text.size() / 2)) <
                                                             std::abs(static_cast<long>(cut) - static_cast<long>(text.size() / 2))))
        cut = i;
    if (cut != std::string::npos) ylabel = dquote(text.substr(0, cut) + "\n" + text.substr(cut + 1));
  }
  std::ostringstream gp;
  gp << "# attnbound figure " << quote(fig.value("id", "")) << ": " << quote(fig.value("title", "")) << "\n"
     << "# Generated from results.json (schema attnbound.results/2) by attnbound's reports.\n"
     << "# Re-render:  gnuplot " << stem << ".gp   (writes " << stem << ".png next to it)\n";
  gp << "if (!exists(\"outfile\")) outfile = " << quote(stem + ".png") << "\n"
     << "reset\n"
     << "set terminal pngcairo size 960," << height << " font 'DejaVu Sans,12' enhanced linewidth 1.4\n"
     << "set output outfile\n"
     << "set encoding utf8\n"
     << "# Text is printed as written (noenhanced); only the 10^{k} tic labels use enhanced mode.\n"
     << "set title " << quote(fig.value("title", "")) << " noenhanced font 'DejaVu Sans,14'\n"
     << "set xlabel " << quote(fig.value("xlabel", "")) << " noenhanced\n"
     << "set ylabel " << ylabel << " noenhanced\n"
     << "set border 3 lc rgb '#444444'\nset tics nomirror\n"
     << "set style line 100 lc rgb '#dcdcdc' lw 0.8 dt 1\nset grid xtics ytics ls 100\n"
     << "set key outside below center horizontal samplen 5 spacing 1.2\n"
     << "set style fill transparent solid 0.18 noborder\n"
     << "set format x '%g'\nset format y '%g'\n";
  if (logx) gp << "set logscale x 10\n";
  if (logy) gp << "set logscale y 10\n";
  gp << "set xrange [" << num(x0) << ":" << num(x1) << "]\n";
  gp << "set yrange [" << num(y0) << ":" << num(y1) << "]\n";
  if (logx) {
    // Few distinct x values of the measured series (widths, n grid): tic exactly there.
    std::set<double> xs;
    for (const auto& c : curves)
      if (c.points) {
        for (const auto& r : c.ci) xs.insert(r.x);
        for (const auto& r : c.bare) xs.insert(r.x);
      }
    std::string tics;
    if (xs.size() >= 2 && xs.size() <= 12) {
      for (double v : xs) tics += (tics.empty() ? "" : ", ") + fmt::format("{:g}", v);
      tics = "(" + tics + ")";
    } else {
      tics = log_tics(x0, x1);
    }
    if (!tics.empty()) gp << "set xtics " << tics << "\n";
    else gp << "set format x '10^{%T}'\n" << (std::log10(x1 / x0) > 8 ? "unset mxtics\n" : "");
  }
  if (logy) {
    const std::string tics = log_tics(y0, y1);
    if (!tics.empty()) gp << "set ytics " << tics << "\n";
    else gp << "set format y '10^{%T}'\n" << (std::log10(y1 / y0) > 8 ? "unset mytics\n" : "");
  }

  std::vector<std::string> plots;
  int n_points = 0;
  for (std::size_t k = 0; k < curves.size(); ++k) {
    const auto& c = curves[k];
    const std::string color = quote(colors[k]);
    if (c.points) {
      const int pt = point_types[n_points++ % std::size(point_types)];
      bool titled = false;
      const std::string title = quote(titles[k]);
      if (!c.ci.empty()) {
        gp << "$ci" << k << " << EOD\n";
        for (const auto& r : c.ci)  // lo <= 0 on a log axis: the band runs off the bottom
          gp << num(r.x) << " " << num(r.y) << " " << num(logy && r.lo <= 0 ? y0 : r.lo) << " " << num(r.hi) << "\n";
        gp << "EOD\n";
        plots.push_back(fmt::format("$ci{} using 1:3:4 with filledcurves lc rgb {} notitle", k, color));
        plots.push_back(fmt::format("$ci{} using 1:2:3:4 with yerrorbars pt {} ps 1.2 lw 1.2 lc rgb {} title {} noenhanced",
                                    k, pt, color, title));
        titled = true;
      }
      if (!c.bare.empty()) {
        gp << "$pt" << k << " << EOD\n";
        for (const auto& r : c.bare) gp << num(r.x) << " " << num(r.y) << "\n";
        gp << "EOD\n";
        plots.push_back(fmt::format("$pt{} using 1:2 with points pt {} ps 1.2 lc rgb {} {}", k, pt, color,
                                    titled ? std::string("notitle") : "title " + title + " noenhanced"));
      }
    } else {
      gp << "$ln" << k << " << EOD\n";
      for (const auto& r : c.bare) gp << num(r.x) << " " << num(r.y) << "\n";
      gp << "EOD\n";
      plots.push_back(fmt::format("$ln{} using 1:2 with lines lw 2 dt {} lc rgb {} title {} noenhanced", k,
                                  c.dashed ? 2 : 1, color, quote(c.label)));
    }
  }
  gp << "plot ";
  for (std::size_t i = 0; i < plots.size(); ++i) gp << (i ? ", \\\n     " : "") << plots[i];
  gp << "\nunset output\n";
  return gp.str();
}

namespace {

/// The executable to run: `program` itself when it names a path, else its first match on PATH.
std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + program;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool is_png(const std::string& bytes) {
  return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

struct job {
  std::size_t claim, figure;
  fs::path gp, png, tmp;
};

/// Starts gnuplot on a list of scripts (stdin/stdout /dev/null, stderr to `err`); -1 if it
/// could not start.
pid_t spawn_gnuplot(const std::string& exe, const std::vector<const job*>& jobs, const fs::path& err) {
  std::vector<std::string> args{exe};
  for (const job* j : jobs) {
    args.push_back("-e");
    args.push_back("outfile = " + quote(j->tmp.string()));
    args.push_back(j->gp.string());
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

bool wait_ok(pid_t pid) {
  if (pid < 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Last non-empty line of gnuplot's stderr, for the report.
std::string last_line(const std::string& text) {
  std::stringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t^") != std::string::npos) last = line;
  return last.empty() ? "gnuplot failed" : last;
}

}  // namespace

plot_set render_plots(const json& results, const std::string& dir, const std::string& gnuplot) {
  plot_set out;
  const fs::path plots_dir = fs::path(dir) / "plots";
  const json& claims = results.at("claims");
  std::vector<job> jobs;
  std::set<std::string> stems;
  bool any_figure = false;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    out.claims.emplace_back();
    const json& c = claims[i];
    if (!c.contains("figures") || !c.at("figures").is_array()) continue;
    for (std::size_t k = 0; k < c.at("figures").size(); ++k) {
      const json& fig = c.at("figures")[k];
      rendered_figure rf;
      std::string stem = figure_stem(c.value("id", "claim"), fig.value("id", fmt::format("figure{}", k + 1)));
      for (int dup = 2; stems.count(stem); ++dup)
        stem = figure_stem(c.value("id", "claim"), fig.value("id", "figure") + fmt::format("-{}", dup));
      stems.insert(stem);
      rf.stem = stem;
      if (fig.contains("notes") && fig.at("notes").is_array())
        for (const auto& n : fig.at("notes"))
          if (n.is_string()) rf.notes.push_back(n.get<std::string>());
      int omitted = 0;
      const std::string script = gnuplot_script(fig, stem, &omitted, &rf.height);
      if (omitted > 0)
        rf.notes.push_back(fmt::format("{} value{} left out (not finite{}).", omitted, omitted == 1 ? "" : "s",
                                       fig.value("logx", false) || fig.value("logy", false)
                                           ? ", or not positive on a log axis" : ""));
      if (script.empty()) {
        rf.st = rendered_figure::state::no_data;
        rf.message = "no data: the figure has no finite value to plot";
      } else {
        if (!any_figure) {
          std::error_code ec;
          fs::create_directories(plots_dir, ec);
          if (ec || !fs::is_directory(plots_dir))
            throw claims::bad_input(fmt::format("cannot create '{}'", plots_dir.string()));
          any_figure = true;
        }
        write_file_atomically((plots_dir / (stem + ".gp")).string(), script);
        jobs.push_back({i, k, plots_dir / (stem + ".gp"), plots_dir / (stem + ".png"),
                        plots_dir / fmt::format(".{}.png.tmp.{}", stem, ::getpid())});
      }
      out.claims.back().push_back(std::move(rf));
    }
  }

  // Plots of an earlier report in the same directory that this one does not have.
  std::error_code ec;
  if (fs::is_directory(plots_dir, ec))
    for (const auto& e : fs::directory_iterator(plots_dir, ec)) {
      const std::string name = e.path().filename().string(), ext = e.path().extension().string();
      if ((ext == ".png" || ext == ".gp") && name.find("--") != std::string::npos &&
          !stems.count(e.path().stem().string()))
        fs::remove(e.path(), ec);
    }
  if (jobs.empty()) return out;

  const std::string exe = find_program(gnuplot);
  if (exe.empty()) {
    out.gnuplot_found = false;
    for (const auto& j : jobs) {
      auto& rf = out.claims[j.claim][j.figure];
      rf.st = rendered_figure::state::no_gnuplot;
      rf.message = "not drawn: gnuplot is not installed (Debian package gnuplot-nox); the data and "
                   "script are in plots/" + rf.stem + ".gp";
    }
    std::cerr << fmt::format("attnbound: gnuplot not found; report written without its {} plot{} "
                             "(install gnuplot-nox)\n", jobs.size(), jobs.size() == 1 ? "" : "s");
    return out;
  }

  // A few gnuplot processes, each rendering a share of the scripts in order.
  const std::size_t n_proc = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  std::vector<std::vector<const job*>> batches(std::min(n_proc, jobs.size()));
  for (std::size_t j = 0; j < jobs.size(); ++j) batches[j % batches.size()].push_back(&jobs[j]);
  std::vector<pid_t> pids;
  std::vector<fs::path> errs;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    errs.push_back(plots_dir / fmt::format(".gnuplot.{}.{}.err", ::getpid(), b));
    pids.push_back(spawn_gnuplot(exe, batches[b], errs.back()));
  }
  std::vector<bool> batch_ok;
  for (pid_t p : pids) batch_ok.push_back(wait_ok(p));

  auto finish = [&](const job& j, bool ok, const std::string& err_text) {
    auto& rf = out.claims[j.claim][j.figure];
    std::string bytes = ok ? read_all(j.tmp) : "";
    std::error_code e;
    if (ok && is_png(bytes)) {
      fs::rename(j.tmp, j.png, e);
      if (!e) {
        rf.st = rendered_figure::state::drawn;
        rf.png = std::move(bytes);
        return;
      }
    }
    fs::remove(j.tmp, e);
    rf.st = rendered_figure::state::failed;
    rf.message = "not drawn: " + last_line(err_text);
    std::cerr << fmt::format("attnbound: plot {} failed: {}\n", rf.stem, last_line(err_text));
  };
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (batch_ok[b]) {
      for (const job* j : batches[b]) finish(*j, true, "");
    } else {
      // Some script of this batch failed: gnuplot stopped there; render each alone.
      for (const job* j : batches[b]) {
        const bool ok = wait_ok(spawn_gnuplot(exe, {j}, errs[b]));
        finish(*j, ok, read_all(errs[b]));
      }
    }
    fs::remove(errs[b], ec);
  }
  return out;
}

}  // namespace attnbound::reports
