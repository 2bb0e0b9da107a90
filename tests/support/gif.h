// Reading GIFs back in tests (giflib).
#pragma once
#include <gif_lib.h>

#include <filesystem>

namespace gankit::test {

/// Frames in a GIF file; -1 when giflib cannot read it.
inline int gif_frame_count(const std::filesystem::path& path) {
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (gif == nullptr) return -1;
  const int frames = DGifSlurp(gif) == GIF_OK ? gif->ImageCount : -1;
  DGifCloseFile(gif, &error);
  return frames;
}

}  // namespace gankit::test
