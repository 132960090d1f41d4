// args.h — command-line flags of the ordgrad subcommands.
//
// Every subcommand declares its flags (name, default, help); parsing rejects an
// unknown flag or a missing value with one og::Error line. A flag that takes a
// value always consumes the next token, so negative numbers are values:
// `--logits -0.5,1,2`. `--flag=value` works too. Boolean flags take no value.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/group_eval.h"

namespace og {
struct DataOptions;
struct ModelInfo;
struct NamedData;
}

namespace og::cli {

struct Flag {
  std::string name;      // without the leading "--"
  std::string fallback;  // default value; "" = none
  std::string help;
  bool boolean = false;  // a switch: present = "1"
};

class Args {
 public:
  Args(std::string command, std::vector<Flag> flags);
  // Parse argv[first..argc); returns false when --help was asked (help text printed).
  bool parse(int argc, char** argv, int first, bool print_help = true);  // false after --help
  std::string usage() const;

  bool has(const std::string& name) const;          // given on the command line
  std::string str(const std::string& name) const;   // value or default
  int integer(const std::string& name) const;
  double number(const std::string& name) const;
  bool flag(const std::string& name) const;
  std::vector<std::string> positional;

 private:
  const Flag& find(const std::string& name) const;
  std::string command_;
  std::vector<Flag> flags_;
  std::map<std::string, std::string> given_;
};

// --image-size: "32" (square) or "32x48" (height x width), each in 1..16384; one error
// line naming the command otherwise.
void parse_image_size(const std::string& text, const std::string& command, int& height, int& width);

// The data flags of a command that scores a saved model (eval, predict), after its own:
// --weight-column, --test-fraction, --split-seed, --split, --skip-bad, --stream,
// --stream-above-mb.
std::vector<Flag> with_scoring_data_flags(std::vector<Flag> own);
// Their values. The label-folder split and class names default to the model's
// (load_for_model), so only given flags are set.
DataOptions scoring_data_options(const Args& a);
// The data a command scores a saved model on (--data with those flags, load_for_model);
// images left out by --skip-bad are reported in one line on stderr.
NamedData load_scoring_data(const Args& a, const ModelInfo& info, const char* command);

// --group of eval and predict: "0" (no totals), G (groups of G consecutive examples)
// or "column" (the data's group column: a manifest's `group`). totals_wanted checks the
// text (before any data is read); group_flag makes the groups of the data.
struct GroupFlag {
  GroupRows rows;          // empty: no totals
  std::vector<int> ids;    // each group's id: its index, or the column's value
  std::string what;        // "groups of 8" or "groups by the group column"
};
bool totals_wanted(const Args& a, const char* command);
GroupFlag group_flag(const Args& a, const NamedData& d, const char* command);

// "1.5,-2,3" -> {1.5,-2,3}; errors name the flag.
std::vector<float> parse_floats(const std::string& text, const std::string& what);

}  // namespace og::cli
