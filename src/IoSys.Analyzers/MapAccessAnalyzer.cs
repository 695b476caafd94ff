using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace IoSys.Analyzers;

/// <summary>
/// Checks every argument passed to a parameter marked <c>[IoOffset]</c> (the accessors of maps, known-size maps,
/// leases, the raw layer, and any user method so marked): constant offsets against a known size (IOSYS001, IOSYS002),
/// absolute addresses passed as offsets (IOSYS003), constant widths a region refuses (IOSYS004); and constant
/// register-array indexes (IOSYS005). Offsets computed at run time are left to the run-time checks.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MapAccessAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the fix may keep just the offset operand (second additional location).</summary>
    public const string HasOffsetPart = "HasOffsetPart";

    /// <summary>Diagnostic property: the map expression is the first additional location.</summary>
    public const string HasMap = "HasMap";

    private static readonly int[] Widths = [1, 2, 4, 8];

    // What a query returns: a method with an offset that returns one of these asks about the offset, it does not access it.
    private static readonly string[] QueryResultTypes = ["IoSys.IoAccessError", "IoSys.IoAccessException", "IoSys.AccessWidths"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Descriptors.OffsetOutOfRange, Descriptors.OffsetMisaligned, Descriptors.AddressAsOffset, Descriptors.WidthRefused, Descriptors.IndexOutOfRange];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Everything is keyed on [IoOffset] (the API says which parameters are offsets and what width or length
            // goes with them), so renaming a parameter cannot turn a check off. Without IoSys there is nothing to check.
            INamedTypeSymbol? offsetAttribute = start.Compilation.GetTypeByMetadataName("IoSys.IoOffsetAttribute");
            INamedTypeSymbol? map = start.Compilation.GetTypeByMetadataName("IoSys.IoSysMap");
            if (offsetAttribute is null || map is null)
            {
                return;
            }

            var types = new KnownTypes(
                offsetAttribute,
                map,
                start.Compilation.GetTypeByMetadataName("IoSys.IoSysMap`1"),
                start.Compilation.GetTypeByMetadataName("IoSys.UnsafeIoSysMap"),
                start.Compilation.GetTypeByMetadataName("IoSys.IoWidthRuleAttribute"),
                start.Compilation.GetTypeByMetadataName("IoSys.IoSysMapLease"),
                start.Compilation.GetTypeByMetadataName("IoSys.IoSysMapLease`1"),
                [.. QueryResultTypes.Select(start.Compilation.GetTypeByMetadataName).OfType<INamedTypeSymbol>()]);
            var sizes = new ConcurrentDictionary<ITypeSymbol, KnownSize?>(SymbolEqualityComparer.Default);
            Compilation compilation = start.Compilation;
            start.RegisterOperationAction(ctx => AnalyzeInvocation(ctx, types, sizes, compilation), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes types, ConcurrentDictionary<ITypeSymbol, KnownSize?> sizes, Compilation compilation)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        CheckRegisterIndex(context, invocation);
        bool? query = null;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter
                || argument.ArgumentKind == ArgumentKind.DefaultValue
                || OffsetOf(parameter, types) is not { } offset)
            {
                continue;
            }

            // A query probes an offset on purpose (is this access allowed? which widths are accepted here?).
            query ??= IsQuery(method, types);
            if (query.Value)
            {
                return;
            }

            IOperation? mapOperation = MapOf(invocation, parameter, types);
            CheckAddress(context, argument, method, mapOperation);
            if (argument.Value.ConstantValue is { HasValue: true, Value: { } constant }
                && mapOperation?.Type is INamedTypeSymbol { TypeArguments.Length: 1 } mapType
                && (Same(mapType.OriginalDefinition, types.MapOfT) || Same(mapType.OriginalDefinition, types.LeaseOfT)))
            {
                KnownSize? size = sizes.GetOrAdd(mapType.TypeArguments[0], t => KnownSize.Of(t, types, compilation));
                if (size is not null)
                {
                    CheckConstantOffset(context, invocation, argument, offset, RegisterModelBuilder.ToLong(constant), size, types, sizes, compilation);
                }
            }
        }
    }

    /// <summary>What <c>[IoOffset]</c> says of a parameter, or null if it is not an offset.</summary>
    private static OffsetInfo? OffsetOf(IParameterSymbol parameter, KnownTypes types)
    {
        if (parameter.Type.SpecialType != SpecialType.System_Int64)
        {
            return null;
        }

        foreach (AttributeData attribute in parameter.OriginalDefinition.GetAttributes())
        {
            if (!Same(attribute.AttributeClass, types.OffsetAttribute))
            {
                continue;
            }

            int width = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int w ? w : 0;
            string? widthParameter = null, lengthParameter = null;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                switch (named.Key)
                {
                    case "WidthParameter":
                        widthParameter = named.Value.Value as string;
                        break;
                    case "LengthParameter":
                        lengthParameter = named.Value.Value as string;
                        break;
                }
            }

            return new OffsetInfo(width, widthParameter, lengthParameter);
        }

        return null;
    }

    /// <summary>
    /// The map an offset is relative to: the nearest map-typed parameter before it (the raw layer's <c>map</c>,
    /// <c>CopyTo</c>'s <c>destination</c>), else the instance the method is called on.
    /// </summary>
    private static IOperation? MapOf(IInvocationOperation invocation, IParameterSymbol offset, KnownTypes types)
    {
        ImmutableArray<IParameterSymbol> parameters = invocation.TargetMethod.Parameters;
        for (int i = offset.Ordinal - 1; i >= 0; i--)
        {
            if (IsMapType(parameters[i].Type, types))
            {
                return StripConversions(invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == i)?.Value);
            }
        }

        return StripConversions(invocation.Instance);
    }

    private static bool IsMapType(ITypeSymbol type, KnownTypes types)
    {
        ITypeSymbol original = type.OriginalDefinition;
        return Same(original, types.Map) || Same(original, types.MapOfT) || Same(original, types.Lease) || Same(original, types.LeaseOfT);
    }

    /// <summary>A query returns a diagnosis (an error code, an exception, the accepted widths) or checks (<c>Check*</c>).</summary>
    private static bool IsQuery(IMethodSymbol method, KnownTypes types) =>
        types.QueryResults.Any(t => Same(method.ReturnType.OriginalDefinition, t))
        || method.Name.StartsWith("Check", StringComparison.Ordinal);

    private static void CheckConstantOffset(
        OperationAnalysisContext context,
        IInvocationOperation invocation,
        IArgumentOperation argument,
        OffsetInfo info,
        long offset,
        KnownSize size,
        KnownTypes types,
        ConcurrentDictionary<ITypeSymbol, KnownSize?> sizes,
        Compilation compilation)
    {
        (long length, bool typed) = AccessLength(invocation, info, types, sizes, compilation);
        Location location = argument.Syntax.GetLocation();
        long end = offset + Math.Max(length, 0);
        if (offset < 0 || length < 0 || end > size.Size || end < offset || (length > 0 && offset >= size.Size))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.OffsetOutOfRange, location, RegisterModelBuilder.Hex(offset), Math.Max(length, 0), size.Name, RegisterModelBuilder.Hex(size.Size)));
            return;
        }

        // The raw layer exists to make accesses the checks refuse (a width the device rejects, a misaligned probe), so
        // only the range, where memory safety is at stake, is checked there.
        if (!typed || Same(invocation.TargetMethod.ContainingType.OriginalDefinition, types.UnsafeMap))
        {
            return;
        }

        if (offset % length != 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.OffsetMisaligned, location, RegisterModelBuilder.Hex(offset), length));
            return;
        }

        foreach ((long ruleOffset, long ruleLength, int widths) in size.Rules)
        {
            bool overlaps = offset < ruleOffset + ruleLength && ruleOffset < end;
            if (overlaps && (widths & (int)length) == 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.WidthRefused,
                    location,
                    size.Name,
                    RegisterModelBuilder.Hex(ruleOffset),
                    RegisterModelBuilder.Hex(ruleOffset + ruleLength),
                    DescribeWidths(widths),
                    length));
                return;
            }
        }
    }

    /// <summary>
    /// The bytes one call touches from its offset, and whether it is a single typed access, from the parameter's
    /// <c>[IoOffset]</c>: a fixed width; the constant argument of its width or length parameter; else the method's one
    /// type argument (a primitive: one access of its size; a known-size type: its size). 0 when not known.
    /// </summary>
    private static (long Length, bool Typed) AccessLength(IInvocationOperation invocation, OffsetInfo info, KnownTypes types, ConcurrentDictionary<ITypeSymbol, KnownSize?> sizes, Compilation compilation)
    {
        if (Array.IndexOf(Widths, info.Width) >= 0)
        {
            return (info.Width, true);
        }

        if (info.WidthParameter is { } widthParameter)
        {
            return ConstantArgument(invocation, widthParameter) is { } width && Array.IndexOf(Widths, (int)width) >= 0 ? (width, true) : (0, false);
        }

        if (info.LengthParameter is { } lengthParameter)
        {
            return (ConstantArgument(invocation, lengthParameter) ?? 0, false);
        }

        if (invocation.TargetMethod.TypeArguments.Length == 1)
        {
            ITypeSymbol typeArgument = invocation.TargetMethod.TypeArguments[0];
            int primitive = PrimitiveSize(typeArgument);
            return primitive > 0 ? (primitive, true) : (sizes.GetOrAdd(typeArgument, t => KnownSize.Of(t, types, compilation))?.Size ?? 0, false);
        }

        return (0, false);
    }

    private static long? ConstantArgument(IInvocationOperation invocation, string parameter) =>
        invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter)?.Value.ConstantValue is { HasValue: true, Value: { } v }
            ? RegisterModelBuilder.ToLong(v)
            : null;

    private static int PrimitiveSize(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            type = underlying;
        }

        return type.SpecialType switch
        {
            SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Boolean => 1,
            SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Char => 2,
            SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Single => 4,
            SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Double => 8,
            _ => 0,
        };
    }

    private static string DescribeWidths(int widths)
    {
        var parts = Widths.Where(b => (widths & b) != 0).Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return parts.Count switch
        {
            0 => "no",
            1 => parts[0] + "-byte",
            _ => string.Join("-, ", parts.Take(parts.Count - 1)) + "- or " + parts[parts.Count - 1] + "-byte",
        };
    }

    // ---- IOSYS003: addresses passed as offsets ----
    private static void CheckAddress(OperationAnalysisContext context, IArgumentOperation argument, IMethodSymbol method, IOperation? map)
    {
        IOperation value = argument.Value;
        if (value.ConstantValue.HasValue || !IsAddress(value, 0))
        {
            return;
        }

        var locations = new List<Location>();
        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        if (map is not null && map.Syntax is ExpressionSyntax)
        {
            locations.Add(map.Syntax.GetLocation());
            properties[HasMap] = "1";
        }

        // "base + offset": the fix keeps the offset.
        if (Unwrap(value) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, OperatorMethod: null } sum)
        {
            IOperation? offsetPart = IsAddress(sum.LeftOperand, 0) && !IsAddress(sum.RightOperand, 0) ? sum.RightOperand
                : IsAddress(sum.RightOperand, 0) && !IsAddress(sum.LeftOperand, 0) ? sum.LeftOperand
                : null;
            if (offsetPart is not null && map is not null && locations.Count == 1)
            {
                locations.Add(StripConversions(offsetPart)!.Syntax.GetLocation());
                properties[HasOffsetPart] = "1";
            }
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.AddressAsOffset,
            argument.Value.Syntax.GetLocation(),
            locations,
            properties.ToImmutable(),
            argument.Value.Syntax.ToString(),
            method.Name));
    }

    /// <summary>Whether the value is an absolute address: a pointer or native integer, or one plus or minus an offset.</summary>
    private static bool IsAddress(IOperation operation, int depth)
    {
        if (depth > 8)
        {
            return false;
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                return IsAddress(conversion.Operand, depth + 1);
            case IParenthesizedOperation parenthesized:
                return IsAddress(parenthesized.Operand, depth + 1);
            case IBinaryOperation { OperatorMethod: null } binary:
                return binary.OperatorKind switch
                {
                    BinaryOperatorKind.Add => IsAddress(binary.LeftOperand, depth + 1) || IsAddress(binary.RightOperand, depth + 1),

                    // address - address is a distance, an offset; address - n is still an address.
                    BinaryOperatorKind.Subtract => IsAddress(binary.LeftOperand, depth + 1) && !IsAddress(binary.RightOperand, depth + 1),
                    _ => false,
                };
            case IBinaryOperation:
                return false; // user-defined, e.g. IoAddress - IoAddress: an offset
            case IInvocationOperation { TargetMethod.Name: "ToInt64" or "ToUInt64", Instance: { } instance }
                when IsNativeInteger(instance.Type):
                return IsAddress(instance, depth + 1);
            case IInvocationOperation { TargetMethod: { Name: "ToUIntPtr", ContainingType.Name: "IoAddress" } }:
                return true;
            case ILocalReferenceOperation local when !IsNativeOrPointer(local.Type):
                return LocalInitializedWithAddress(local, depth);
            default:
                return IsNativeOrPointer(operation.Type);
        }
    }

    /// <summary>A local assigned once, at its declaration, from an address (<c>long a = (long)p; map.Read32(a)</c>).</summary>
    private static bool LocalInitializedWithAddress(ILocalReferenceOperation local, int depth)
    {
        if (local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || local.SemanticModel is not { } model
            || declarator.SyntaxTree != model.SyntaxTree)
        {
            return false;
        }

        // Reassigned anywhere in its scope: no longer known to be an address.
        SyntaxNode? scope = declarator.FirstAncestorOrSelf<BlockSyntax>() ?? declarator.Parent;
        if (scope is not null && scope.DescendantNodes().Any(n =>
                (n is AssignmentExpressionSyntax { Left: IdentifierNameSyntax left } && left.Identifier.ValueText == local.Local.Name)
                || (n is PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax p } && p.Identifier.ValueText == local.Local.Name)
                || (n is PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax q } && q.Identifier.ValueText == local.Local.Name)
                || (n is ArgumentSyntax { RefKindKeyword.ValueText: "ref" or "out" } a && a.Expression is IdentifierNameSyntax r && r.Identifier.ValueText == local.Local.Name)))
        {
            return false;
        }

        return model.GetOperation(initializer) is { } value && IsAddress(value, depth + 1);
    }

    private static bool IsNativeOrPointer(ITypeSymbol? type) =>
        type is not null && (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer || IsNativeInteger(type));

    private static bool IsNativeInteger(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr;

    private static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation c:
                    operation = c.Operand;
                    break;
                case IParenthesizedOperation p:
                    operation = p.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    private static IOperation? StripConversions(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    // ---- IOSYS005: constant index into a generated register array ----
    private static void CheckRegisterIndex(OperationAnalysisContext context, IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (!method.IsStatic || method.Name is not ("Read" or "ReadRelaxed" or "Write" or "WriteRelaxed" or "Update" or "OffsetOf")
            || RegisterOf(method) is not { } registerType
            || RegisterModelBuilder.FindAttribute(registerType, RegisterModelBuilder.RegisterAttribute) is not { } register)
        {
            return;
        }

        int count = (int)RegisterModelBuilder.ToLong(register.NamedArguments.FirstOrDefault(n => n.Key == "Count").Value.Value ?? 1);
        IArgumentOperation? index = invocation.Arguments.FirstOrDefault(a => a.Parameter is { Name: "index", Type.SpecialType: SpecialType.System_Int32 });
        if (count > 1 && index?.Value.ConstantValue is { HasValue: true, Value: int value } && (value < 0 || value >= count))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.IndexOutOfRange, index.Syntax.GetLocation(), value, registerType.Name, count));
        }
    }

    /// <summary>
    /// The register type an accessor call is for. The accessors are IoSys's <c>RegisterAccessExtensions</c>, static
    /// extension members over the register interfaces: the register is a type argument of the extension block (how
    /// C# 14 compilers show <c>Regs.Channel.Read(map, 3)</c>) or of the method (its lowered form); a member declared on
    /// a register type itself (older generated code) has the register as its containing type.
    /// </summary>
    private static INamedTypeSymbol? RegisterOf(IMethodSymbol method)
    {
        if (RegisterModelBuilder.FindAttribute(method.ContainingType, RegisterModelBuilder.RegisterAttribute) is not null)
        {
            return method.ContainingType;
        }

        foreach (ITypeSymbol argument in method.ContainingType.TypeArguments.Concat(method.TypeArguments))
        {
            if (argument is INamedTypeSymbol named && RegisterModelBuilder.FindAttribute(named, RegisterModelBuilder.RegisterAttribute) is not null)
            {
                return named;
            }
        }

        return null;
    }

    private static bool Same(ISymbol? a, ISymbol? b) => a is not null && SymbolEqualityComparer.Default.Equals(a, b);

    /// <summary>An offset parameter's <c>[IoOffset]</c>: its fixed width, or the parameters naming its width or length.</summary>
    private readonly record struct OffsetInfo(int Width, string? WidthParameter, string? LengthParameter);

    private sealed record KnownTypes(
        INamedTypeSymbol OffsetAttribute,
        INamedTypeSymbol Map,
        INamedTypeSymbol? MapOfT,
        INamedTypeSymbol? UnsafeMap,
        INamedTypeSymbol? WidthRuleAttribute,
        INamedTypeSymbol? Lease,
        INamedTypeSymbol? LeaseOfT,
        ImmutableArray<INamedTypeSymbol> QueryResults);

    /// <summary>What is known at compile time about an <c>IIoKnownSize</c> type: its size and width rules.</summary>
    private sealed record KnownSize(string Name, long Size, ImmutableArray<(long Offset, long Length, int Widths)> Rules)
    {
        public static KnownSize? Of(ITypeSymbol type, KnownTypes types, Compilation compilation)
        {
            long? size = null;
            if (RegisterModelBuilder.FindAttribute(type, RegisterModelBuilder.BlockAttribute) is { ConstructorArguments.Length: 1 } block)
            {
                size = RegisterModelBuilder.ToLong(block.ConstructorArguments[0].Value);
            }
            else if (type.GetMembers("Size").OfType<IPropertySymbol>().FirstOrDefault(p => p.IsStatic) is { } property)
            {
                size = property.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<PropertyDeclarationSyntax>()
                    .Select(SizeExpression).Select(e => ConstantEvaluator.Evaluate(e) ?? SemanticConstant(e, compilation)).FirstOrDefault(v => v is not null);
            }

            if (size is not > 0)
            {
                return null;
            }

            var rules = type.GetAttributes()
                .Where(a => Same(a.AttributeClass, types.WidthRuleAttribute) && a.ConstructorArguments.Length == 3)
                .Select(a => (RegisterModelBuilder.ToLong(a.ConstructorArguments[0].Value), RegisterModelBuilder.ToLong(a.ConstructorArguments[1].Value), (int)RegisterModelBuilder.ToLong(a.ConstructorArguments[2].Value)))
                .ToImmutableArray();
            return new KnownSize(type.Name, size.Value, rules);
        }

        /// <summary>A size the syntax alone cannot give, e.g. <c>Size =&gt; Constants.BarSize</c>: ask the compiler.</summary>
        private static long? SemanticConstant(ExpressionSyntax? expression, Compilation compilation)
        {
            if (expression is null || !compilation.ContainsSyntaxTree(expression.SyntaxTree))
            {
                return null;
            }

            // Once per known-size type per compilation (the result is cached), for a property declared in another
            // file than the access: the operation's own semantic model cannot answer for that tree.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
            Optional<object?> value = compilation.GetSemanticModel(expression.SyntaxTree).GetConstantValue(expression);
#pragma warning restore RS1030
            return value.HasValue && value.Value is not null and not string and not bool ? RegisterModelBuilder.ToLong(value.Value) : null;
        }

        private static ExpressionSyntax? SizeExpression(PropertyDeclarationSyntax property)
        {
            if (property.ExpressionBody is { } arrow)
            {
                return arrow.Expression;
            }

            AccessorDeclarationSyntax? getter = property.AccessorList?.Accessors.FirstOrDefault(a => a.Keyword.ValueText == "get");
            return getter?.ExpressionBody?.Expression
                ?? (getter?.Body?.Statements is { Count: 1 } statements && statements[0] is ReturnStatementSyntax { Expression: { } returned } ? returned : null)
                ?? property.Initializer?.Value;
        }
    }
}
