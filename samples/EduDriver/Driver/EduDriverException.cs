namespace IoSys.Samples.Edu;

/// <summary>The device did not behave as edu: wrong identification, or an interrupt without the expected status.</summary>
public sealed class EduDriverException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EduDriverException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public EduDriverException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EduDriverException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
