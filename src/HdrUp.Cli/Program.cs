using HdrUp.Cli;

return await HdrUpCli.RunAsync(args);
