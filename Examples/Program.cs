Console.WriteLine("M3Actors demo: coming with the Core issue.");
