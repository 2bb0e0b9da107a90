// Full-reference image quality (PSNR, SSIM, masked L1) and the baseline hole fills an inpainting
// model must beat (mean of the known pixels, nearest known pixel).
//
// Images are float [N,C,H,W] with values in [0,1] (data range 1): callers map the models' [-1,1]
// with (x + 1) / 2 first. Masks are float [N,1,H,W], 1 = hole, 0 = known (data/masks.h); a value
// > 0.5 counts as hole. Every score is computed per image and then averaged over the batch, so a
// batch's figure does not depend on how the hole sizes vary between its images.
#pragma once
#include <torch/torch.h>

namespace gankit::metrics {

/// PSNR is capped here (reached at MSE <= 1e-10), so identical images give a finite number.
constexpr double kMaxPsnr = 100.0;

/// 10 log10(1 / MSE) per image: over all pixels and channels, or with `mask` over the hole's
/// pixels in every channel. Returns float64 [N], each at most kMaxPsnr. An image whose mask has no
/// hole is an error.
torch::Tensor psnr_per_image(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask = {});
/// The mean of psnr_per_image over the batch.
double psnr(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask = {});

/// SSIM (Wang et al. 2004) per image, float64 [N], as scikit-image's
/// structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=1, channel_axis=C) computes it: local statistics under an 11x11 Gaussian window
/// (sigma 1.5, truncated at 3.5 sigma), K1 = 0.01, K2 = 0.03, averaged over the pixels whose window
/// lies inside the image (skimage filters the whole image and then crops 5 pixels at each border,
/// so its padding never reaches the mean), then over channels. Needs H, W >= 11.
torch::Tensor ssim_per_image(const torch::Tensor& a, const torch::Tensor& b);
/// The mean of ssim_per_image over the batch.
double ssim(const torch::Tensor& a, const torch::Tensor& b);

/// Mean |a - b| over each image's hole pixels (all channels), then averaged over the batch.
double masked_l1(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask);

/// Fills each hole pixel with the mean of its image's known pixels, per channel; known pixels are
/// returned unchanged. [N,C,H,W] -> [N,C,H,W]. An image with no known pixel is an error.
torch::Tensor mean_fill(const torch::Tensor& images, const torch::Tensor& mask);

/// Fills each hole pixel with the value of the nearest known pixel (Euclidean distance between
/// pixel positions); among equally near ones the first in row-major order (smallest row, then
/// smallest column). Known pixels are returned unchanged. [N,C,H,W] -> [N,C,H,W]. An image with no
/// known pixel is an error.
torch::Tensor nearest_fill(const torch::Tensor& images, const torch::Tensor& mask);

}  // namespace gankit::metrics
