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
  bool parse(int argc, char** argv, int first);
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

// "1.5,-2,3" -> {1.5,-2,3}; errors name the flag.
std::vector<float> parse_floats(const std::string& text, const std::string& what);

}  // namespace og::cli
