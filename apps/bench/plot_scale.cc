// SPDX-License-Identifier: MIT
#include "apps/bench/plot_scale.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace raftlink::bench {

std::vector<double> nice_ticks(double low, double high, int target) {
    ASSERT(high > low);
    ASSERT_GE(target, 2);
    const double rough = (high - low) / (target - 1);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    double step = power * 10;
    for (const double factor : {1.0, 2.0, 5.0}) {
        if (power * factor >= rough) {
            step = power * factor;
            break;
        }
    }
    std::vector<double> ticks;
    const double first = std::floor(low / step) * step;
    // A bound on the loop, as every loop has one: the step was chosen for about target ticks.
    for (int i = 0; i <= 4 * target + 2; ++i) {
        const double tick = first + i * step;
        // Snap tiny floating-point residue (0.30000000000000004) to the step's grid.
        ticks.push_back(std::round(tick / step) * step);
        if (tick >= high - step * 1e-9) break;
    }
    return ticks;
}

std::vector<double> log_ticks(double low, double high) {
    ASSERT(low > 0);
    ASSERT(high > low);
    const int first = static_cast<int>(std::floor(std::log10(low)));
    const int last = static_cast<int>(std::ceil(std::log10(high)));
    const bool thin = last - first > 4;
    std::vector<double> ticks;
    for (int exponent = first; exponent <= last; ++exponent) {
        for (const double factor : {1.0, 2.0, 5.0}) {
            if (thin && factor != 1.0) continue;
            const double tick = factor * std::pow(10.0, exponent);
            if (tick >= low * (1 - 1e-9) && tick <= high * (1 + 1e-9)) ticks.push_back(tick);
        }
    }
    return ticks;
}

AxisScale::AxisScale(bool logarithmic, double domain_low, double domain_high, double pixel_low,
                     double pixel_high)
    : logarithmic_(logarithmic),
      domain_low_(domain_low),
      domain_high_(domain_high),
      pixel_low_(pixel_low),
      pixel_high_(pixel_high) {
    ASSERT(domain_high_ > domain_low_);
}

AxisScale AxisScale::linear(double domain_low, double domain_high, double pixel_low,
                            double pixel_high) {
    return AxisScale(false, domain_low, domain_high, pixel_low, pixel_high);
}

AxisScale AxisScale::logarithmic(double domain_low, double domain_high, double pixel_low,
                                 double pixel_high) {
    ASSERT(domain_low > 0);
    return AxisScale(true, domain_low, domain_high, pixel_low, pixel_high);
}

double AxisScale::pixel(double value) const {
    const double clamped = std::clamp(value, domain_low_, domain_high_);
    double fraction = 0;
    if (logarithmic_) {
        fraction = std::log10(clamped / domain_low_) / std::log10(domain_high_ / domain_low_);
    } else {
        fraction = (clamped - domain_low_) / (domain_high_ - domain_low_);
    }
    return pixel_low_ + fraction * (pixel_high_ - pixel_low_);
}

std::string tick_label(double value) {
    if (value == 0) return "0";
    // Up to 6 significant digits, then strip the zeros "%g" would not.
    return fmt::format("{:.6g}", value);
}

}  // namespace raftlink::bench
