using M3Actors.TransportHost;

// A child process for the transport tests: reads one command per line on stdin, answers one line on stdout,
// and exits when stdin closes (so it never outlives a test process that died without killing it).
using var session = new HostSession(Console.Out);
while (Console.In.ReadLine() is { } line)
{
    if (line == "exit") break;
    session.Run(line);
}
