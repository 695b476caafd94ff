using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace IoSys.Analyzers;

/// <summary>
/// IOSYS010: a lease (<c>IoSysMap.Lease()</c>, or any call returning one) whose result the code never ends. Silent when the lease is declared
/// with <c>using</c>, is the resource of a <c>using</c> statement, is disposed at once (<c>map.Lease().Dispose()</c>),
/// is returned (the caller owns it), or is kept in a local on which the method calls <c>Dispose</c>. Reported when it
/// is discarded, passed straight to another method, or kept in a local that is never disposed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LeaseOwnershipAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.LeaseNotDisposed];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? lease = start.Compilation.GetTypeByMetadataName("IoSys.IoSysMapLease");
            INamedTypeSymbol? leaseOfT = start.Compilation.GetTypeByMetadataName("IoSys.IoSysMapLease`1");
            if (lease is null)
            {
                return;
            }

            start.RegisterOperationAction(ctx => Analyze(ctx, lease, leaseOfT), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol lease, INamedTypeSymbol? leaseOfT)
    {
        var invocation = (IInvocationOperation)context.Operation;
        // Keyed on the result's type, not the method's name: any call that returns a new lease (by value) hands over
        // its ownership, IoSysMap.Lease() and a user's helper alike.
        if (invocation.TargetMethod.RefKind != RefKind.None || !IsLease(invocation.Type, lease, leaseOfT))
        {
            return;
        }

        string? problem = Problem(invocation);
        if (problem is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.LeaseNotDisposed, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(), problem));
        }
    }

    /// <summary>Why the lease is never ended, or null if something ends it (or its owner is elsewhere).</summary>
    private static string? Problem(IInvocationOperation invocation)
    {
        IOperation? parent = invocation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        switch (parent)
        {
            case IExpressionStatementOperation:
                return "discarded";
            case IInvocationOperation { TargetMethod.Name: "Dispose" } call when call.Instance is not null:
                return null; // map.Lease().Dispose()
            case IReturnOperation:
                return null; // the caller owns it
            case IArgumentOperation:
                return "passed on without being kept";
            case IUsingOperation:
                return null; // using (map.Lease()) { ... }
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return IsUsingDeclaration(declarator) || IsDisposedLater(declarator.Symbol, invocation)
                    ? null
                    : $"kept in '{declarator.Symbol.Name}', which is never disposed";
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local }:
                return IsDisposedLater(local.Local, invocation) ? null : $"kept in '{local.Local.Name}', which is never disposed";
            default:
                return null; // Anything else (a field of a ref struct, a deconstruction, ...): not judged.
        }
    }

    private static bool IsUsingDeclaration(IVariableDeclaratorOperation declarator)
    {
        for (IOperation? o = declarator.Parent; o is not null; o = o.Parent)
        {
            if (o is IUsingDeclarationOperation or IUsingOperation)
            {
                return true;
            }

            if (o is not (IVariableDeclarationOperation or IVariableDeclarationGroupOperation))
            {
                return false;
            }
        }

        return false;
    }

    // Whether the method that holds the lease calls Dispose on the local, or uses it as a `using` resource.
    private static bool IsDisposedLater(ILocalSymbol local, IOperation from)
    {
        IOperation root = from;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        return root.Descendants().Any(o => o switch
        {
            IInvocationOperation { TargetMethod.Name: "Dispose", Instance: ILocalReferenceOperation reference } =>
                SymbolEqualityComparer.Default.Equals(reference.Local, local),
            IUsingOperation { Resources: ILocalReferenceOperation reference } =>
                SymbolEqualityComparer.Default.Equals(reference.Local, local),
            _ => false,
        });
    }

    private static bool IsLease(ITypeSymbol? type, INamedTypeSymbol lease, INamedTypeSymbol? leaseOfT) =>
        type is INamedTypeSymbol named
        && (SymbolEqualityComparer.Default.Equals(named, lease)
            || (leaseOfT is not null && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, leaseOfT)));
}
