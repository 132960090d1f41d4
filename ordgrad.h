// ordgrad.h — the whole public API in one include, for programs built against an
// installed ordgrad: `#include <ordgrad/ordgrad.h>` with the flags of
// `pkg-config --cflags --libs ordgrad` (see examples/README.md).
//
// It lives at the root of the tree (a directory named ordgrad is impossible there: the
// tool's symlink has that name) and `make install` puts it at include/ordgrad/ordgrad.h,
// rewriting these lines to <ordgrad/core/...>. Inside the tree nothing includes it:
// library code includes what it uses (tests/test_layout.cpp ranks it above model/).
// A new public header gets one line in its directory's group. Left out on purpose,
// though installed: the internals of a layer or loss (layers/conv_common.h,
// layers/winograd_transforms.h, layers/batchnorm_runs.h, layers/conv2d_winograd.h,
// losses/total_common.h, model/words.h, core/elementwise.h, core/gemm_fixed.h), which a
// program includes by name when it extends them.
#pragma once

// core: tensors, the tape, the ops, modules, randomness, checks
#include "core/check.h"
#include "core/tensor.h"
#include "core/version.h"
#include "core/graph.h"
#include "core/ops.h"
#include "core/module.h"
#include "core/rng.h"
#include "core/parallel.h"
#include "core/blas.h"
#include "core/gradcheck.h"
#include "core/metrics.h"
#include "core/protobuf.h"
#include "core/safetensors.h"
#include "core/serialize.h"
#include "core/atomic_file.h"
#include "core/calibration.h"
#include "core/comm.h"
#include "core/fixed_sum.h"

// layers
#include "layers/activation.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/dropout.h"
#include "layers/init.h"
#include "layers/linear.h"
#include "layers/ordinal_head.h"
#include "layers/pool2d.h"
#include "layers/residual.h"
#include "layers/sequential.h"

// losses: the spec language, every loss, and the pieces a new loss is built from
#include "losses/loss.h"
#include "losses/spec.h"
#include "losses/reduce.h"
#include "losses/row_math.h"
#include "losses/row_loss.h"
#include "losses/cumulative.h"
#include "losses/class_weights.h"
#include "losses/ce.h"
#include "losses/cdw_ce.h"
#include "losses/clm.h"
#include "losses/coral.h"
#include "losses/corn.h"
#include "losses/cum_bce.h"
#include "losses/ev.h"
#include "losses/group_total.h"
#include "losses/mean_var.h"
#include "losses/reg.h"
#include "losses/rps.h"
#include "losses/soft_target.h"

// optimisers and schedules
#include "optim/optimizer.h"
#include "optim/sgd.h"
#include "optim/adam.h"
#include "optim/lbfgs.h"
#include "optim/clip.h"
#include "optim/schedule.h"
#include "optim/sampler.h"

// data
#include "io/dataset.h"
#include "io/csv.h"
#include "io/idx.h"
#include "io/images.h"
#include "io/folders.h"
#include "io/counting.h"
#include "io/scenes.h"
#include "io/prefetch.h"
#include "io/stream.h"

// models: architectures as text (or og::Net in C++), heads, model files, named data,
// training, the fit loop, inference, group totals
#include "model/architecture.h"
#include "model/net.h"
#include "model/heads.h"
#include "model/model.h"
#include "model/data.h"
#include "model/trainer.h"
#include "model/fit.h"
#include "model/inference.h"
#include "model/group_eval.h"
#include "model/shards.h"
#include "model/calibrate.h"
#include "model/onnx.h"
#include "model/weights.h"
