using HdrUp.Conversion;
using HdrUp.Training.Dataset;

namespace HdrUp.Bench;

public static class DatasetLayoutFolders
{
    /// <summary>The folders of <paramref name="layout"/> that int8 calibration and <c>--precision auto</c> read.</summary>
    public static DatasetFolders ConversionFolders(this DatasetLayout layout) =>
        new(layout.Root, qp => layout.SdrFolder(DatasetLayout.Train, qp), qp => layout.SdrFolder(DatasetLayout.Test, qp), layout.HdrFolder(DatasetLayout.Test));
}
