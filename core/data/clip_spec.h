// What a procedural clip shows, in words and numbers: the renderer's small vocabulary
// (shapes, colours, motions, backgrounds, camera moves), the spec of one clip, its caption,
// and random specs drawn from a seed. docs/DATA.md lists the vocabulary.
//
// Convention used everywhere (renderer, captions, evaluation): "camera pans left" means the
// view turns left, so the picture's content slides RIGHT in the frame; "tilts up" → content
// slides DOWN; "zooms in" → content grows about the centre.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace artv {

class PhotoLibrary;

enum class Shape { Square, Circle, Triangle, Diamond };
enum class Colour { Red, Green, Blue, Yellow, Orange, Purple, White, Black, Gray };
enum class ObjectMotion {
    Still, Left, Right, Up, Down, UpLeft, UpRight, DownLeft, DownRight,
    Bouncing, Growing, Shrinking, Rotating
};
enum class CameraMotion { Still, PanLeft, PanRight, TiltUp, TiltDown, ZoomIn, ZoomOut };
enum class BackgroundKind { Flat, Gradient, Texture, Photo };
enum class ClipKind { Object, Camera };
enum class PhotoSplit { Train, Eval, All };

inline constexpr int kShapeCount = 4, kColourCount = 9, kObjectMotionCount = 13,
                     kCameraMotionCount = 7, kBackgroundKindCount = 4;

using Rgb = std::array<uint8_t, 3>;

const char *shape_name(Shape s);              // "square"
const char *colour_name(Colour c);            // "red"
Rgb colour_rgb(Colour c);                     // the palette value drawn
const char *object_motion_phrase(ObjectMotion m);  // "moving up and left"
const char *camera_motion_phrase(CameraMotion m);  // "camera pans left over"
const char *object_motion_name(ObjectMotion m);    // short id for reports: "up_left"
const char *camera_motion_name(CameraMotion m);    // "pan_left"
const char *background_kind_name(BackgroundKind b);  // "flat"
// The motion with that short id; ARTV_ERR_INVALID_ARGUMENT listing the ids otherwise.
ObjectMotion object_motion_named(const std::string &name);
CameraMotion camera_motion_named(const std::string &name);
Colour colour_named(const std::string &name);                // "green" -> Colour::Green
const char *photo_split_name(PhotoSplit s);  // "train", "eval", "all"
// "train" or "eval" (the splits a run draws from); ARTV_ERR_INVALID_ARGUMENT otherwise.
PhotoSplit photo_split_named(const std::string &name);
// Unit direction of a straight object motion in image coordinates (x right, y down);
// {0, 0} for motions without one (still, bouncing, growing, shrinking, rotating).
std::array<float, 2> object_motion_direction(ObjectMotion m);
// Direction in which a camera motion slides the content (x right, y down): pan left → {1, 0},
// tilt up → {0, 1}; {0, 0} for still and zooms.
std::array<float, 2> camera_content_direction(CameraMotion m);

struct BackgroundSpec {
    BackgroundKind kind = BackgroundKind::Flat;
    Colour colour = Colour::Blue;   // flat colour; gradient start; texture tint
    Colour colour2 = Colour::Green; // gradient end
    float angle = 0;                // gradient direction, radians
    uint64_t seed = 0;              // texture noise
    int photo = -1;                 // PhotoLibrary index for kind Photo
    float photo_x = 0, photo_y = 0; // top-left of the crop in the scaled photo, pixels
    float photo_scale = 1;          // photo pixels scaled by this before cropping
    // RendererOptions::photo_augment: the scaled photo mirrored left-right, and its colour
    // channels reordered (kChannelOrders[photo_channels]; 0 = as is). photo_x/photo_y are in
    // the mirrored photo.
    bool photo_mirror = false;
    int photo_channels = 0;
};
// The six orders of R, G, B: output channel c takes input channel kChannelOrders[i][c].
inline constexpr int kChannelOrders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

// Everything render_clip() needs: rendering is a pure function of the spec and the photos.
struct ClipSpec {
    int width = 128, height = 128, frames = 16;
    double fps = 8;  // the rate the motion is meant to be seen at (metadata)
    ClipKind kind = ClipKind::Object;

    // Object clips. Positions and sizes in output pixels; speed in pixels per frame.
    Shape shape = Shape::Circle;
    Colour colour = Colour::Red;
    ObjectMotion motion = ObjectMotion::Still;
    float start_x = 64, start_y = 64;  // centre at frame 0
    float size = 28;                   // diameter of the circle the shape fits in (×1.2 for triangles)
    float speed = 3;                   // straight and bouncing motions
    float bounce_dx = 0, bounce_dy = 0;  // bouncing: unit direction at frame 0
    float size_rate = 1;               // growing/shrinking: size factor per frame
    float angle0 = 0, angle_rate = 0;  // degrees, degrees per frame (rotating)
    BackgroundSpec background;

    // Camera clips: a viewport moving over background.photo (scaled by photo_scale; the view
    // at frame 0 has its top-left at photo_x, photo_y at zoom 1).
    CameraMotion camera = CameraMotion::Still;
    float camera_speed = 3;  // pans/tilts: pixels per frame
    float zoom_rate = 1;     // zooms: magnification factor per frame
    float zoom0 = 1;         // magnification at frame 0 (zoom out starts magnified)

    // Caption detail: whether the background (object clips) or the photo's subject (camera
    // clips) is named. Short captions teach the model the prompts users type.
    bool mention_background = true;
    bool mention_subject = true;
};

// The caption of a spec, e.g. "a red circle moving left on a blue background",
// "camera pans right over a photo of a city". `photos` names photo subjects (may be null:
// then photos are "a photo").
std::string caption_of(const ClipSpec &spec, const PhotoLibrary *photos);

// Every word a caption can contain (sorted, unique), with the subjects of `photos` if given.
std::vector<std::string> caption_vocabulary(const PhotoLibrary *photos);

struct RendererOptions {
    int width = 128, height = 128, frames = 16;
    double fps = 8;
    // Straight motion and pans: pixels per frame at this size. At 128 px, 2-4 px/frame stays
    // visible after the VAE's 8× downsampling (0.25-0.5 latent pixels per frame).
    float min_speed = 2, max_speed = 4;
    // Pans and tilts alone, when set (> 0): their own range, drawn with the same draw as the
    // objects' speed, so a seed keeps its clip whatever the ranges. 0 = min_speed/max_speed.
    float min_camera_speed = 0, max_camera_speed = 0;
    bool has_camera_speed_range() const { return min_camera_speed > 0 || max_camera_speed > 0; }
    // The pans' and tilts' speed range in effect: their own when set, else the objects'.
    std::pair<float, float> camera_speed_range() const {
        return has_camera_speed_range() ? std::pair{min_camera_speed, max_camera_speed}
                                        : std::pair{min_speed, max_speed};
    }
    float min_object_size = 0.16f, max_object_size = 0.28f;  // of the short side
    float min_zoom_rate = 1.025f, max_zoom_rate = 1.045f;
    float camera_share = 0.3f;  // share of camera clips (0 when there are no photos)
    float mention_background_prob = 0.7f, mention_subject_prob = 0.5f;
    // Choices drawn uniformly from these lists; empty = all of the kind. Repeat an entry to
    // weight it.
    std::vector<Shape> shapes;
    std::vector<Colour> colours;             // objects
    std::vector<Colour> background_colours;  // flat/gradient/texture backgrounds
    std::vector<ObjectMotion> object_motions;
    std::vector<CameraMotion> camera_motions;
    std::vector<BackgroundKind> backgrounds;  // Photo is dropped when there are no photos
    std::shared_ptr<PhotoLibrary> photos;     // may be null: no photo backgrounds, no camera clips
    PhotoSplit photo_split = PhotoSplit::Train;
    // Each photo drawn mirrored (half the clips) and with its colour channels in one of the six
    // orders: twelve pictures from one photo, so that a model sees more pictures than it can
    // learn by heart (docs/MODEL.md "Stage 14"). Off: the specs of a seed are as before.
    bool photo_augment = false;
};

// A random clip, a deterministic function of (seed, options, the photos' sizes). Throws
// ARTV_ERR_INVALID_ARGUMENT for impossible options (e.g. only camera motions and no photos).
ClipSpec random_clip_spec(uint64_t seed, const RendererOptions &options);

}  // namespace artv
