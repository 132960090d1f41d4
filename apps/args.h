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

// "1.5,-2,3" -> {1.5,-2,3}; errors name the flag.
std::vector<float> parse_floats(const std::string& text, const std::string& what);

}  // namespace og::cli
