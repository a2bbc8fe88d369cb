namespace HdrUp.Core.Tests;

public class RgbPlanarFrameTests
{
    [Fact]
    public void Crop_copies_the_region_of_every_plane_and_refuses_one_outside_the_frame()
    {
        var frame = new RgbPlanarFrame(5, 4);
        for (int i = 0; i < frame.Data.Length; i++) frame.Data[i] = i;
        var cropped = frame.Crop(1, 2, 3, 2);
        Assert.Equal((3, 2), (cropped.Width, cropped.Height));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++)
                    Assert.Equal(frame[c, y + 2, x + 1], cropped[c, y, x]);
        Assert.Throws<ArgumentOutOfRangeException>(() => frame.Crop(3, 0, 3, 1));
    }
}
