// The [data] keys of paired data and hold-out: parsed, written back, validated.
#include <gtest/gtest.h>

#include "gankit/config/config.h"
#include "support/test_support.h"

namespace gankit::config {
namespace {

using test::fails_with;

TEST(PairsConfig, KeysParseAndValidate) {
  Config config;
  config.set("data.pairs=side-by-side");
  config.set("data.direction=BtoA");
  config.set("data.holdout=500");
  EXPECT_EQ(config.data.pairs, "side-by-side");
  EXPECT_EQ(config.data.direction, "BtoA");
  EXPECT_EQ(config.data.holdout, 500);
  EXPECT_NO_THROW(config.validate());
  const auto back = Config::from_toml(config.to_toml(), "resolved");  // written to the run and read back
  EXPECT_EQ(back.data.pairs, "side-by-side");
  EXPECT_EQ(back.data.direction, "BtoA");
  EXPECT_EQ(back.data.holdout, 500);
  auto bad = [](const std::string& assignment) {
    Config c;
    c.set(assignment);
    c.validate();
  };
  EXPECT_TRUE(fails_with([&] { bad("data.pairs=sbs"); },
                         {"data.pairs", "sbs", "side-by-side, folders, edges or gray"}));
  EXPECT_TRUE(fails_with([&] { bad("data.direction=AB"); }, {"data.direction", "AtoB or BtoA"}));
  EXPECT_TRUE(fails_with([&] { bad("data.direction=BtoA"); }, {"data.direction", "needs paired data"}));
  EXPECT_TRUE(fails_with([&] { bad("data.holdout=-5"); }, {"data.holdout", "-5"}));
  const Config defaults;
  EXPECT_EQ(defaults.data.pairs, "");
  EXPECT_EQ(defaults.data.direction, "AtoB");
  EXPECT_EQ(defaults.data.holdout, 0);
}

}  // namespace
}  // namespace gankit::config
