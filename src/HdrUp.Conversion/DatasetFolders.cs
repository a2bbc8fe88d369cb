namespace HdrUp.Conversion;

/// <summary>
/// The folders of a dataset ('hdrup dataset build') that int8 calibration (<see cref="CalibrationFrames"/>) and
/// <c>--precision auto</c> (<see cref="PrecisionChoice"/>) read, per QP. Training's DatasetLayout is the one place that
/// names them; Conversion sits upstream of Training, so whoever holds a layout passes them in (the benches' and the CLI's
/// <c>DatasetLayout.ConversionFolders()</c>).
/// </summary>
/// <param name="Root">The dataset folder, for messages.</param>
/// <param name="TrainingSdr">QP → the training split's SDR crops at that QP.</param>
/// <param name="TestSdr">QP → the test split's SDR crops at that QP.</param>
/// <param name="TestHdr">The test split's ground truth, a file of the same name per SDR crop.</param>
public sealed record DatasetFolders(string Root, Func<int, string> TrainingSdr, Func<int, string> TestSdr, string TestHdr);
